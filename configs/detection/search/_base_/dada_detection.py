# DADA (Li et al., ECCV 2020) searched on a detector: the parts every
# detector's search shares. The config that inherits this and a stock mmdet::
# config wraps the stock model in mmautoaug.DADADetector, splits the training
# set in half A (the detector's) and half B (the policy's validation), and
# gives the stock optimiser to the detector.
custom_imports = dict(
    imports=['mmautoaug.search', 'mmautoaug.models', 'mmautoaug.engine'],
    allow_failed_imports=False)
# the policy: sub-policies of two ops of the 'detection' space (231 pairs),
# relaxed at temperature 0.5, probabilities and magnitudes 0.5, RELAX control
# variate with 100 tanh units (DADA's); Adam 0.005, betas (0.5, 0.999)
dada_policy = dict(space='detection', temperature=0.5, init_prob=0.5,
                   init_magnitude=0.5, cv_hidden=100)
dada_policy_optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=0.005, betas=(0.5, 0.999),
                   weight_decay=0))
# under tools/dist_train.sh: our train_step runs and averages its gradients
model_wrapper_cfg = dict(type='mmautoaug.SearchDistributedDataParallel')
custom_hooks = [dict(type='mmautoaug.PolicyExportHook', interval=1)]
