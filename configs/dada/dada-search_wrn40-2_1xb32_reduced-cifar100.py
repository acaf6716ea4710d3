# DADA search on reduced CIFAR-100: 4,000 training images (stratified,
# seed 0) in two halves of 2,000, WRN-40-2, 20 epochs, one GPU x 32, SGD
# weight decay 5e-4, Cutout 16 px; the rest as the reduced CIFAR-10 search.
# Source: the authors' search_relax/train_paper.sh (cifar100 block: batch
# 32, wd 0.0005, cutout 16) and their released genotype's name
# (..._reduced_cifar100_wresnet40_2_32_20_..._cutout_16_lr0p025_wd0p0005_...).
# Learning rate 0.025, the genotype's: the script says 0.1, but the name
# records the run that produced the published CIFAR-100 policy, and 0.025 is
# the CIFAR-10 search's 0.1 at batch 128 scaled linearly to batch 32.
_base_ = ['./dada-search_wrn40-2_1xb128_reduced-cifar10.py']

dataset_type = 'mmpretrain.CIFAR100'
data_root = 'data/cifar100'
batch_size = 32
inner = dict(dataset=dict(type=dataset_type, data_root=data_root))
half_a = dict(dataset=inner)
half_b = dict(dataset=inner)
train_dataloader = dict(batch_size=batch_size, dataset=half_a)
train_cfg = dict(
    search_dataloader=dict(batch_size=batch_size, dataset=half_b))

model = dict(
    data_preprocessor=dict(
        num_classes=100,
        # RGB mean / std of the CIFAR-100 training set
        mean=[129.304, 124.070, 112.434], std=[68.170, 65.392, 70.418]),
    classifier=dict(head=dict(num_classes=100)))
optim_wrapper = dict(
    classifier=dict(optimizer=dict(lr=0.025, weight_decay=5e-4)))
