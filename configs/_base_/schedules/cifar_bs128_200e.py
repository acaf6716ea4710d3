# CIFAR recipe of AutoAugment / Fast AutoAugment / DADA for Wide-ResNets:
# SGD lr 0.1, momentum 0.9, Nesterov, weight decay 5e-4, cosine decay to 0
# over 200 epochs (updated every iteration), batch 128.
optim_wrapper = dict(
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, nesterov=True,
        weight_decay=5e-4))
param_scheduler = dict(
    type='CosineAnnealingLR',
    T_max=200,
    by_epoch=True,
    begin=0,
    end=200,
    convert_to_iter_based=True)

train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=5)
val_cfg = dict()
test_cfg = dict()

# lr 0.1 is for a total batch of 128; scale it with --auto-scale-lr
auto_scale_lr = dict(base_batch_size=128)
