# Adversarial AutoAugment (Zhang et al., ICLR 2020) on CIFAR-10, WRN-28-10.
# The paper's recipe: 200 epochs, batch 128, SGD lr 0.1 with cosine decay,
# weight decay 5e-4; M=8 policies per epoch, so every step trains on the
# 8 x 128 augmented copies of the batch. The generator (LSTM, 100 hidden
# units, 32-d embeddings, Q=5 sub-policies of 2 (op, magnitude-bin) pairs
# in the AutoAugment space) is updated once per epoch by REINFORCE to
# maximise the normalised per-policy training losses (Adam 3.5e-4, entropy
# bonus 1e-5). Crop and flip run per image on the CPU; the policies and
# then Cutout (16 px) run on the device inside the training step.
# Writes work_dir/policy_schedule/epoch_XXXX.json (the M policies of every
# epoch), policy.json (the latest) and policy_final.json (M policies from
# the final generator); --resume continues the search.
_base_ = [
    '../_base_/models/wrn28_10.py', '../_base_/datasets/cifar10.py',
    '../_base_/schedules/cifar_bs128_200e.py', '../_base_/default_runtime.py'
]

num_policies = 8

# the policies act on [0, 255] pixels: normalise after them, in the model
data_preprocessor = dict(type='AugmentDataPreprocessor', defer_normalize=True)
model = dict(
    _delete_=True,
    type='AdvAAClassifier',
    classifier={{_base_.model}},
    augmentor=dict(type='PolicyBatchAugment', space='autoaugment',
                   cutout=16))

custom_hooks = [
    dict(
        type='AdvAAHook',
        num_policies=num_policies,
        generator=dict(type='AdvAAPolicyGenerator', space='autoaugment',
                       num_sub_policies=5, num_ops=2, hidden_size=100,
                       embed_size=32),
        optimizer=dict(type='Adam', lr=3.5e-4),
        entropy_weight=1e-5,
        op_prob=1.0)
]
default_hooks = dict(logger=dict(interval=50),
                     search_cost=dict(type='SearchCostHook'))
