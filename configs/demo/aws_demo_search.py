# AWS demo, stage 2: 8 controller steps of 2 fine-tuning epochs each on the
# shared weights of configs/demo/aws_demo_stage1.py. Two idle CPU cores:
# about 25 seconds (measured: rewards 0.92-0.93, controller entropy 7.167 ->
# 7.097). Writes work_dirs/aws_demo_search/policy*.json,
# aws_history.json, aws_best_controller.pth, aws_search_state.pth.
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
    controller_optimizer=dict(type='Adam', lr=0.1),
    export_topk=(5, 25))
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=None)
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
