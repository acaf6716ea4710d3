# Adversarial AutoAugment (Zhang et al., ICLR 2020) searched on a detector:
# the parts every detector's search shares. The config that inherits this and
# a stock mmdet:: config wraps the stock model in mmautoaug.AdvAADetector.
custom_imports = dict(
    imports=['mmautoaug.search', 'mmautoaug.models'],
    allow_failed_imports=False)
# The generator (LSTM 100, embeddings 32, the paper's) emits M=8 policies of
# Q=5 sub-policies of K=2 ops per epoch (the paper's M, Q, K; 5 x 2 is also
# Zoph et al.'s detection policy shape) in the 'detection' space (22 ops with
# box-level ops, Zoph et al. 2019); REINFORCE with Adam 3.5e-4 and entropy
# weight 1e-5 (the paper's).
custom_hooks = [
    dict(
        type='mmautoaug.AdvAAHook',
        generator=dict(
            type='mmautoaug.AdvAAPolicyGenerator',
            space='detection',
            num_sub_policies=5,
            num_ops=2),
        num_policies=8,
        optimizer=dict(type='Adam', lr=3.5e-4),
        entropy_weight=1e-5)
]
# under tools/dist_train.sh: the model runs its own chunked step and
# averages its gradients over ranks
model_wrapper_cfg = dict(type='mmautoaug.SearchDistributedDataParallel')
