# CIFAR recipe of AutoAugment / Fast AutoAugment for Shake-Shake-26:
# SGD lr 0.01, momentum 0.9, Nesterov, weight decay 1e-3, cosine decay over
# 1800 epochs, batch 128.
_base_ = ['./cifar_bs128_200e.py']

optim_wrapper = dict(optimizer=dict(lr=0.01, weight_decay=1e-3))
param_scheduler = dict(T_max=1800, end=1800)
train_cfg = dict(max_epochs=1800, val_interval=20)
