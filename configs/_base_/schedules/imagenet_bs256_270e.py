# ImageNet ResNet-50 recipe of AutoAugment / Fast AutoAugment / DADA:
# 270 epochs, SGD momentum 0.9, weight decay 1e-4, lr 0.1 per 256 images
# (1.6 at batch 4096), 5 linear warm-up epochs, divided by 10 at epochs
# 90, 180 and 240.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='MultiStepLR',
        by_epoch=True,
        begin=0,
        end=270,
        milestones=[90, 180, 240],
        gamma=0.1),
]

train_cfg = dict(by_epoch=True, max_epochs=270, val_interval=5)
val_cfg = dict()
test_cfg = dict()

# lr 0.1 is for a total batch of 256 (8 GPUs x 32); scale it with
# --auto-scale-lr
auto_scale_lr = dict(base_batch_size=256)
