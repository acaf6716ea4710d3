# DADA search on reduced CIFAR-100: 4,000 training images (stratified,
# seed 0) in two halves of 2,000, WRN-40-2, the reduced CIFAR-10 recipe.
_base_ = ['./dada-search_wrn40-2_1xb128_reduced-cifar10.py']

dataset_type = 'mmpretrain.CIFAR100'
data_root = 'data/cifar100'
reduced = dict(
    dataset=dict(type=dataset_type, data_root=data_root))
half_a = dict(dataset=reduced)
half_b = dict(dataset=reduced)
train_dataloader = dict(dataset=half_a)
train_cfg = dict(search_dataloader=dict(dataset=half_b))

model = dict(
    data_preprocessor=dict(
        num_classes=100,
        # RGB mean / std of the CIFAR-100 training set
        mean=[129.304, 124.070, 112.434], std=[68.170, 65.392, 70.418]),
    classifier=dict(head=dict(num_classes=100)))
