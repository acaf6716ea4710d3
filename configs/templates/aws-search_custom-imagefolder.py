# AWS stage 2 on YOUR classification images: the PPO controller search over
# the shared weights of aws-stage1_custom-imagefolder.py (edit the data and
# model fields THERE; this file inherits them). Each controller step restores
# the stage-1 weights and optimiser state, fine-tunes `finetune_epochs`
# epochs under the current distribution, rewards it with the held-out
# accuracy and makes a PPO update.
#   python tools/train.py configs/templates/aws-search_custom-imagefolder.py
# Writes work_dirs/aws-search_custom-imagefolder/policy.json (the whole
# distribution), policy_top5.json, policy_top25.json, aws_history.json and
# aws_search_state.pth (--resume continues after the last finished step).

# ---- edit these ------------------------------------------------------------
# the work dir of stage 1 (its last_checkpoint names the shared weights)
stage1_work_dir = 'work_dirs/aws-stage1_custom-imagefolder'
num_steps = 100  # controller steps: our setting, not from the paper
# -----------------------------------------------------------------------------

_base_ = ['./aws-stage1_custom-imagefolder.py']

# every rank fine-tunes on the whole training part, in its own order
train_dataloader = dict(
    sampler=dict(_delete_=True, type='RankLocalSampler', shuffle=True))
train_cfg = dict(
    _delete_=True,
    type='AWSSearchLoop',
    heldout_dataloader={{_base_.heldout_dataloader}},
    shared_checkpoint=stage1_work_dir,
    num_steps=num_steps,
    finetune_epochs={{_base_.finetune_epochs}},
    reward_topk=2,
    controller=dict(type='AWSController', space='aws'),
    controller_optimizer=dict(type='Adam', lr=0.1),
    export_topk=(5, 25))
# constant learning rate, no validation loop (the loop computes the reward),
# no model checkpoints (the loop saves the search state)
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
default_hooks = dict(checkpoint=None)
# each rank draws its own pairs
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
