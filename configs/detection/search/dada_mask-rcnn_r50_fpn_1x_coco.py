# DADA searched on Mask R-CNN R-50-FPN itself (the stock mmdet 1x COCO config):
# the detector trains on half A of a reduced COCO (5k images) augmented on the
# device by a sample of the relaxed policy, and RELAX rewards the sample with
# the change of its loss on half B (7,392 images) over the step (first order;
# first_order=False adds the unrolled step, which also learns the
# magnitudes). Writes work_dir/policy.json (top-25 sub-policies); put it into
# any mmdet config with
#   python tools/policy/inject.py CONFIG work_dir/policy.json --out cfg.py
#   bash tools/dist_train.sh configs/detection/search/dada_mask-rcnn_r50_fpn_1x_coco.py 8
_base_ = [
    'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
    './_base_/dada_detection.py'
]
model = dict(
    _delete_=True,
    type='mmautoaug.DADADetector',
    detector={{_base_.model}},
    policy={{_base_.dada_policy}},
    # masks are loaded: the boxes are taken from the moved masks
    recompute_bbox=True,
    first_order=True,
    topk=25)
# The reduced COCO of Zoph et al. (2019): child models trained on 5k images
# of train2017, the policy rewarded on 7,392 held-out ones (a seeded random
# split: 12,392 images, then 7,392 of them for half B).
reduced = dict(
    type='mmautoaug.StratifiedSplitDataset', stratified=False,
    part='heldout', heldout=5000 + 7392, seed=0,
    dataset={{_base_.train_dataloader.dataset}})
half_a = dict(
    type='mmautoaug.StratifiedSplitDataset', stratified=False, part='train',
    heldout=7392, seed=0, dataset=reduced)
half_b = dict(
    type='mmautoaug.StratifiedSplitDataset', stratified=False,
    part='heldout', heldout=7392, seed=0, dataset=reduced)
train_dataloader = dict(dataset=dict(_delete_=True, **half_a))
train_cfg = dict(
    _delete_=True,
    type='mmautoaug.DADASearchLoop',
    max_epochs=12,
    # as the stock train_dataloader (2 images per GPU), on half B
    search_dataloader=dict(
        batch_size=2,
        num_workers=2,
        persistent_workers=True,
        sampler=dict(type='DefaultSampler', shuffle=True),
        batch_sampler=dict(type='AspectRatioBatchSampler'),
        dataset=half_b))
# the detector keeps the stock optimiser and schedule; the policy and the
# control variate have their own (DADA's Adam)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmautoaug.SubmoduleOptimWrapperConstructor',
    detector={{_base_.optim_wrapper}},
    policy={{_base_.dada_policy_optim_wrapper}})
param_scheduler = dict(
    _delete_=True, detector={{_base_.param_scheduler}}, policy=[])
# the search evaluates nothing: its output is the policy
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
