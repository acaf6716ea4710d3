default_scope = 'mmautoaug'
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3,
                    save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='mmpretrain.VisualizationHook', enable=False),
    search_cost=dict(type='SearchCostHook'))  # estimate + budget, README
env_cfg = dict(cudnn_benchmark=False,
               mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
               dist_cfg=dict(backend='nccl'))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='mmpretrain.UniversalVisualizer',
                  vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
# every rank draws its own augmentation pairs (AWSImageClassifier samples
# with torch's default generator, which MMEngine seeds per rank only with
# diff_rank_seed): stage 1 under tools/dist_train.sh would otherwise give
# every rank the same pair stream
randomness = dict(seed=0, deterministic=False, diff_rank_seed=True)
