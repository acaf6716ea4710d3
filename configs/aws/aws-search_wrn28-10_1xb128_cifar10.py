# AWS stage 2 on CIFAR-10 (PPO search over the shared weights of stage 1).
# Every controller step restores the stage-1 weights and optimiser state,
# fine-tunes 10 epochs at stage 1's final learning rate under the current
# distribution, rewards it with the mean of the best 2 held-out accuracies
# and updates the controller by PPO (clip 0.2, <= 5 inner steps, KL stop
# 0.002, EMA baseline 0.9, Adam). On N GPUs each rank evaluates its own
# sample: N policy evaluations per controller step.
# Writes work_dir/policy.json (the whole distribution), policy_top5.json,
# policy_top25.json, aws_history.json, aws_best_controller.pth and
# aws_search_state.pth (--resume continues after the last finished step).
_base_ = ['./aws-stage1_wrn28-10_1xb128_cifar10.py']

stage1_work_dir = 'work_dirs/aws-stage1_wrn28-10_1xb128_cifar10'

# every rank fine-tunes on the whole 40k part, in its own order
train_dataloader = dict(
    sampler=dict(_delete_=True, type='RankLocalSampler', shuffle=True))
train_cfg = dict(
    _delete_=True,
    type='AWSSearchLoop',
    heldout_dataloader={{_base_.heldout_dataloader}},
    shared_checkpoint=stage1_work_dir,  # its last_checkpoint
    num_steps=100,  # controller steps: our setting, not from the paper
    finetune_epochs=10,
    lr=None,  # stage 1's final learning rate
    reward_topk=2,
    controller=dict(type='AWSController', space='aws',
                    parametrization='sigmoid'),
    controller_optimizer=dict(type='Adam', lr=0.1),
    clip=0.2,
    ppo_steps=5,
    kl_threshold=0.002,
    baseline_momentum=0.9,
    export_topk=(5, 25))

# constant learning rate, no validation loop (the loop computes the reward),
# no model checkpoints (the loop saves the search state)
param_scheduler = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
default_hooks = dict(checkpoint=None, logger=dict(interval=100))
# each rank draws its own pairs
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
