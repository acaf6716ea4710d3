# DADA search on the few-shot demo set (mmautoaug.DemoFewShotCIFAR10, no
# download): its 200 training images in two stratified halves of 100 (A trains
# a WRN-10-1, B drives the policy), the full unrolled RELAX search with the
# paper's settings (configs/dada/_base_/dada_runtime.py), batch 32, 200
# epochs (800 steps, about 1.5 min on 2 idle cores: the network learns, its
# held-out loss falls from 2.3 to 0.5; at 40 epochs it was still at chance and
# the policy its starting point). Writes
# work_dirs/fewshot_dada_search/policy.json (top 25 sub-policies);
# tools/demo.sh then compares it with none, TrivialAugment and a random policy (tools/analysis/compare_policies.py on
# configs/demo/fewshot_wrn10-1_demo.py).
_base_ = ['../dada/_base_/dada_runtime.py']

max_epochs = 200
fewshot = dict(type='DemoFewShotCIFAR10', data_root='data/demo_fewshot',
               split='train',
               pipeline=[
                   dict(type='mmpretrain.RandomCrop', crop_size=32,
                        padding=4),
                   dict(type='mmpretrain.PackInputs'),
               ])
half_a = dict(type='StratifiedSplitDataset', part='train', heldout=100,
              seed=0, dataset=fewshot)
half_b = dict(half_a, part='heldout')
train_dataloader = dict(
    batch_size=32, num_workers=0, persistent_workers=False, dataset=half_a,
    sampler=dict(type='DefaultSampler', shuffle=True))
train_cfg = dict(
    max_epochs=max_epochs,
    search_dataloader=dict(
        batch_size=32, num_workers=0, persistent_workers=False,
        dataset=half_b, sampler=dict(type='DefaultSampler', shuffle=True)))

model = dict(
    # RGB mean / std of the few-shot training set (as
    # configs/demo/fewshot_wrn10-1_demo.py)
    data_preprocessor=dict(mean=[201.2, 185.0, 162.2],
                           std=[55.8, 51.1, 23.3]),
    classifier=dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='WideResNet', depth=10, widen_factor=1),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=10, in_channels=64,
            loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))))
optim_wrapper = dict(classifier=dict(optimizer=dict(weight_decay=5e-4)))
param_scheduler = dict(classifier=dict(T_max=max_epochs, end=max_epochs))
default_hooks = dict(logger=dict(interval=4),
                     checkpoint=dict(interval=10, max_keep_ckpts=1))
