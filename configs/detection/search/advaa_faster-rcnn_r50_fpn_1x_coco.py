# Adversarial AutoAugment searched on Faster R-CNN R-50-FPN itself (the stock
# mmdet 1x COCO config); see advaa_retinanet_r50_fpn_1x_coco.py.
#   bash tools/dist_train.sh configs/detection/search/advaa_faster-rcnn_r50_fpn_1x_coco.py 8
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    './_base_/advaa_detection.py'
]
model = dict(
    _delete_=True,
    type='mmautoaug.AdvAADetector',
    detector={{_base_.model}},
    augmentor=dict(type='mmautoaug.DetPolicyBatchAugment', seed=0),
    copies_per_step=2)
