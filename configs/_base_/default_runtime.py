# Runtime shared by every mmautoaug config (mmpretrain's defaults, our scope).
default_scope = 'mmautoaug'

default_hooks = dict(
    # record the time of every iteration
    timer=dict(type='IterTimerHook'),
    # print the log every 100 iterations
    logger=dict(type='LoggerHook', interval=100),
    # step the parameter schedulers
    param_scheduler=dict(type='ParamSchedulerHook'),
    # save a checkpoint every 10 epochs, keep the last 3 and the best
    checkpoint=dict(
        type='CheckpointHook', interval=10, max_keep_ckpts=3,
        save_last=True, save_best='auto'),
    # reseed the distributed sampler every epoch
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # draw validation predictions (set enable=True to use it)
    visualization=dict(type='mmpretrain.VisualizationHook', enable=False),
    # carry every rank's RNG states in checkpoints, so --resume continues
    # the same random streams (flips, crops, sampled policies)
    random_state=dict(type='mmautoaug.RandomStateHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # 'nccl' on GPUs; tools/train.py falls back to 'gloo' when no GPU is
    # visible (CPU runs and tests), since nccl needs CUDA.
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='mmpretrain.UniversalVisualizer', vis_backends=vis_backends)

log_processor = dict(window_size=10, by_epoch=True)
log_level = 'INFO'

load_from = None
resume = False

# The same seed on every rank (diff_rank_seed=False): what a search learns
# stays identical across ranks; data loader workers are still seeded per
# rank by MMEngine.
randomness = dict(seed=0, deterministic=False, diff_rank_seed=False)
