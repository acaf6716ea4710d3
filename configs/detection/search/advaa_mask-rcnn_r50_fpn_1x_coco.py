# Adversarial AutoAugment searched on Mask R-CNN R-50-FPN itself (the stock
# mmdet 1x COCO config); bitmap masks move with the pixels on the device and
# the boxes are taken from them (recompute_bbox). See
# advaa_retinanet_r50_fpn_1x_coco.py.
#   bash tools/dist_train.sh configs/detection/search/advaa_mask-rcnn_r50_fpn_1x_coco.py 8
_base_ = [
    'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
    './_base_/advaa_detection.py'
]
model = dict(
    _delete_=True,
    type='mmautoaug.AdvAADetector',
    detector={{_base_.model}},
    augmentor=dict(
        type='mmautoaug.DetPolicyBatchAugment', seed=0, recompute_bbox=True),
    copies_per_step=2)
