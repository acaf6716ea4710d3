# Adversarial AutoAugment (Zhang et al., ICLR 2020) on CIFAR-10 with
# PyramidNet-272 (alpha 200, bottleneck) + ShakeDrop, 26.2M parameters: the
# paper's headline 1.36% +/- 0.06 CIFAR-10 error. The generator, M=8 and
# Cutout 16 px are those of the WRN-28-10 search
# (./advaa_wrn28-10_1xb128_cifar10.py); the classifier recipe is the public
# reimplementation's conf for this model
# (SeongwoongCho/adversarial-autoaugment-pytorch,
# src/confs/cifar10/.ipynb_checkpoints/pyramid272_cifar10-checkpoint.yaml,
# the stored copy of its conf): depth 272, alpha 200,
# bottleneck, 600 epochs, batch 128, SGD lr 0.1 (Nesterov, momentum 0.9),
# weight decay 1e-4, cosine decay.
#
# Batch 128 = 8 GPUs x 16: each GPU step trains on the 8 x 16 = 128
# augmented copies. One GPU cannot hold the whole 8 x 128 = 1024-image step:
# `python tools/benchmark/advaa_memory.py THIS_CONFIG --batches 1 2 4 8`
# measures 171.9 MiB of saved activations per 32x32 image on the CPU (peak
# RSS: 219 MiB per image), so 1024 images need about 190-240 GiB in
# float32; 128 per GPU need about 24-30 GiB (12-15 GiB with --amp), plus
# ~0.5 GiB CUDA context (an estimate; no GPU measured it).
_base_ = ['./advaa_wrn28-10_1xb128_cifar10.py']

max_epochs = 600

# the classifier of ../_base_/models/pyramidnet272_a200_shakedrop.py
model = dict(
    classifier=dict(
        _delete_=True,
        type='mmpretrain.ImageClassifier',
        backbone=dict(
            type='PyramidNet',
            depth=272,
            alpha=200,
            bottleneck=True,
            shake_drop=True,
            final_keep_prob=0.5),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead',
            num_classes=10,
            in_channels=864,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
            topk=(1, ))))
optim_wrapper = dict(optimizer=dict(lr=0.1, weight_decay=1e-4))
param_scheduler = dict(T_max=max_epochs, end=max_epochs)
train_cfg = dict(max_epochs=max_epochs, val_interval=20)
# 8 GPUs x 16 = the paper's 128
train_dataloader = dict(batch_size=16)
