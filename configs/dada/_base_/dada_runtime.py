# DADA search runtime (Li et al., ECCV 2020): the parts every search shares.
# The config that inherits this sets `classifier`, the data (half A in
# train_dataloader, half B in train_cfg.search_dataloader) and the mean/std.
_base_ = ['../../_base_/default_runtime.py']

max_epochs = 20
model = dict(
    type='DADASearchModel',
    # filled in by the inheriting config
    classifier=dict(),
    data_preprocessor=dict(
        type='AugmentDataPreprocessor', defer_normalize=True,
        num_classes=10, mean=[125.307, 122.961, 113.8575],
        std=[51.5865, 50.847, 51.255], to_rgb=False),
    # 105 sub-policies (all pairs of the 15 fastaa ops), Gumbel-Softmax and
    # relaxed Bernoullis at temperature 0.5 (search_relax/train_paper.sh),
    # logits all 1e-3, prob and magnitude 0.5, RELAX control variate with
    # 100 tanh units (search_relax/model_search.py)
    policy=dict(space='fastaa', temperature=0.5, init_prob=0.5,
                init_magnitude=0.5, init_logit=1e-3, cv_hidden=100),
    # 'relax' (the paper) or 'gumbel_st' (its biased ablation)
    estimator='relax',
    # True: no unrolled step (cheaper; magnitudes are not learned)
    first_order=False,
    # False: one sub-policy per batch (the paper); True: one per image
    per_sample=False,
    # RELAX sees L_val(w') - L_val(w) (unbiased; removes the variation
    # between validation batches); False: L_val(w') (noisier)
    val_baseline=True,
    # the paper's hypergradient, scaled by the network's learning rate xi
    # (it shrinks with the cosine schedule, to 1% of its start at lr 0.1);
    # False: divided by xi, the scale of the authors' code (README)
    scale_by_xi=True,
    # the paper Cutout after the policy on the training half, in pixels
    # (set per data set: 16 CIFAR, 20 SVHN, none ImageNet)
    cutout=None,
    # the paper's (and DARTS') finite-difference Hessian-vector product with
    # radius 0.01; 'double_backward' computes it exactly (with ReLU networks
    # the difference is far from it: see the README)
    hvp='finite_difference',
    hvp_r=0.01,
    topk=25)

# The network (SGD, cosine) and the policy + control variate (Adam) have
# separate optimisers: the policy parameters never reach the SGD.
optim_wrapper = dict(
    constructor='SubmoduleOptimWrapperConstructor',
    # the network step's gradient is clipped at norm 5 (train_search_paper.py
    # --grad_clip); the virtual step uses the unclipped one, as theirs
    classifier=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                       weight_decay=2e-4),
        clip_grad=dict(max_norm=5.0)),
    policy=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=0.005, betas=(0.5, 0.999),
                       weight_decay=0)))
# cosine down to 0.001 (train_search_paper.py --learning_rate_min), so the
# xi-scaled policy signal never reaches 0
param_scheduler = dict(
    classifier=dict(type='CosineAnnealingLR', T_max=max_epochs,
                    eta_min=0.001, by_epoch=True, begin=0, end=max_epochs,
                    convert_to_iter_based=True),
    policy=[])

# search_dataloader (half B) is set by the inheriting config
train_cfg = dict(type='DADASearchLoop', max_epochs=max_epochs,
                 search_dataloader=dict())
# the search evaluates nothing: its output is the policy
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None

# under tools/dist_train.sh: our train_step runs and averages its gradients
model_wrapper_cfg = dict(type='SearchDistributedDataParallel')

custom_hooks = [dict(type='PolicyExportHook', interval=1)]
default_hooks = dict(
    logger=dict(interval=10),
    # every epoch, so that --resume continues a search from its last epoch
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best=None),
    search_cost=dict(type='SearchCostHook'))  # estimate + budget, README
