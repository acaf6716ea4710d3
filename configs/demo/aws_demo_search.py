# AWS demo, stage 2: 8 controller steps of 2 fine-tuning epochs each on the
# shared weights of configs/demo/aws_demo_stage1.py. Measured on 2 heavily
# loaded CPU cores: 137 s, rewards 0.77-0.79, controller entropy 7.167 ->
# 7.140. Writes work_dirs/aws_demo_search/policy*.json (policy.json: the best
# evaluated controller; policy_last.json: the latest), aws_history.json,
# aws_best_controller.pth, aws_controllers/, aws_search_state.pth.
_base_ = ['./aws_demo_stage1.py']

train_dataloader = dict(
    sampler=dict(_delete_=True, type='RankLocalSampler', shuffle=True))
train_cfg = dict(
    _delete_=True,
    type='AWSSearchLoop',
    heldout_dataloader={{_base_.heldout_dataloader}},
    shared_checkpoint='work_dirs/aws_demo_stage1',
    num_steps=8,
    finetune_epochs={{_base_.finetune_epochs}},
    reward_topk=2,
    controller=dict(type='AWSController', space='aws'),
    # the authors' controller settings (see
    # configs/aws/aws-search_wrn28-10_1xb256_cifar10.py)
    controller_optimizer=dict(type='Adam', lr=0.1, betas=(0.5, 0.999),
                              weight_decay=0),
    controller_scheduler=dict(type='LinearLR', start_factor=0.125,
                              end_factor=1.0, begin=0, end=11,
                              by_epoch=False),
    export_topk=(5, 25))
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=None)
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
