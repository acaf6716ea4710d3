# AWS stage 2 on ImageNet (ResNet-50): on 8 GPUs, 8 independent policy
# evaluations per controller step (each rank fine-tunes its own copy on the
# whole train part); each rank's advantage (its reward against its own running
# baseline) pushes the pairs it used, and the controller's gradients are
# averaged over the ranks.
_base_ = ['./aws-stage1_resnet50_8xb32_in1k.py']

train_dataloader = dict(
    sampler=dict(_delete_=True, type='RankLocalSampler', shuffle=True))
train_cfg = dict(
    _delete_=True,
    type='AWSSearchLoop',
    heldout_dataloader={{_base_.heldout_dataloader}},
    shared_checkpoint='work_dirs/aws-stage1_resnet50_8xb32_in1k',
    num_steps=40,  # controller steps: our setting, not from the paper
    finetune_epochs={{_base_.finetune_epochs}},
    lr=None,
    reward_topk=2,
    controller=dict(type='AWSController', space='aws',
                    parametrization='sigmoid'),
    # the authors' controller settings (yaml: agent.op_cfg, agent.sc_cfg;
    # see the CIFAR search config)
    controller_optimizer=dict(type='Adam', lr=0.1, betas=(0.5, 0.999),
                              weight_decay=0),
    controller_scheduler=dict(type='LinearLR', start_factor=0.125,
                              end_factor=1.0, begin=0, end=11,
                              by_epoch=False),
    clip=0.2,
    ppo_steps=5,
    kl_threshold=0.002,
    baseline_momentum=0.9,
    export_topk=(5, 25))
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
default_hooks = dict(checkpoint=None, logger=dict(interval=500))
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
