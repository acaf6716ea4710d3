# Adversarial AutoAugment searched on RetinaNet R-50-FPN itself (the stock
# mmdet 1x COCO config: 12 epochs, 2 images per GPU, SGD 0.01): every batch is
# augmented on the device under the epoch's M=8 policies, the detector trains
# on the 8 copies, and the generator is rewarded with each copy's loss.
# Writes work_dir/policy.json (the last epoch's policies), policy_final.json
# and policy_schedule/; put one into any mmdet config with
#   python tools/policy/inject.py CONFIG work_dir/policy.json --out cfg.py
#   bash tools/dist_train.sh configs/detection/search/advaa_retinanet_r50_fpn_1x_coco.py 8
# Memory: copies go through the detector in chunks of copies_per_step (2
# copies x 2 images = 4 images of 1333x800 per pass); see the README
# ("Search on the detector") for what fits on one GPU.
_base_ = [
    'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py',
    './_base_/advaa_detection.py'
]
model = dict(
    _delete_=True,
    type='mmautoaug.AdvAADetector',
    detector={{_base_.model}},
    augmentor=dict(type='mmautoaug.DetPolicyBatchAugment', seed=0),
    copies_per_step=2)
