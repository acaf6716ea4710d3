# Adversarial AutoAugment (Zhang et al., ICLR 2020) on CIFAR-10 with
# Shake-Shake-26 2x96d (26.2M parameters; the paper: 1.85% +/- 0.12 error).
# The generator, M=8 and Cutout 16 px are those of the WRN-28-10 search
# (./advaa_wrn28-10_1xb128_cifar10.py); the classifier recipe is the
# public reimplementation's conf for this model
# (SeongwoongCho/adversarial-autoaugment-pytorch,
# src/confs/cifar10/.ipynb_checkpoints/shake26_2x96d_cifar10-checkpoint.yaml,
# the stored copy of its conf): 600 epochs, batch 128,
# SGD lr 0.2 (Nesterov, momentum 0.9), weight decay 1e-4, cosine decay.
# Every step trains on 8 x 128 = 1024 augmented images: about 26-42 GiB in
# float32, 13-21 GiB with --amp (+ ~0.5 GiB CUDA context), estimated on a
# CPU by `python tools/benchmark/advaa_memory.py THIS_CONFIG` (23.4 MiB of
# saved activations per image; the peak RSS of a CPU step grows by 37.8 MiB
# per image); on smaller GPUs split it, e.g. 4 GPUs x 32
# (train_dataloader.batch_size=32).
_base_ = ['./advaa_wrn28-10_1xb128_cifar10.py']

max_epochs = 600

# the classifier of ../_base_/models/shake_shake_26_2x96d.py
model = dict(
    classifier=dict(
        _delete_=True,
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='ShakeShakeResNet', depth=26, base_channels=96),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead',
            num_classes=10,
            in_channels=384,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
            topk=(1, ))))
optim_wrapper = dict(optimizer=dict(lr=0.2, weight_decay=1e-4))
param_scheduler = dict(T_max=max_epochs, end=max_epochs)
train_cfg = dict(max_epochs=max_epochs, val_interval=20)
