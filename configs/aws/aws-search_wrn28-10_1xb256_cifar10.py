# AWS stage 2 on CIFAR-10 (PPO search over the shared weights of stage 1).
# Every controller step restores the stage-1 weights and optimiser state,
# fine-tunes 10 epochs at the constant lr 0.001 under the current
# distribution (pairs, Cutout, label smoothing and gradient clipping as in
# stage 1), rewards it with the mean of the best 2 held-out accuracies, lets
# the running baseline absorb the reward and updates the controller by PPO.
# On N GPUs each rank evaluates its own sample: N policy evaluations per
# controller step.
# Writes work_dir/policy.json (the distribution of the BEST evaluated
# controller: retrain with it), policy_top5.json, policy_top25.json,
# policy_last*.json (the latest controller), aws_history.json,
# aws_best_controller.pth, aws_controllers/step_XXXX.pth and
# aws_search_state.pth (--resume continues after the last finished step).
# "yaml: key" names the setting of the authors' CIFAR yaml (AWS-OHL-AutoAug
# README) a value comes from; configs/aws/README.md lists our differences.
_base_ = ['./aws-stage1_wrn28-10_1xb256_cifar10.py']

stage1_work_dir = 'work_dirs/aws-stage1_wrn28-10_1xb256_cifar10'

# every rank fine-tunes on the whole 40k part, in its own order
train_dataloader = dict(
    sampler=dict(_delete_=True, type='RankLocalSampler', shuffle=True))
train_cfg = dict(
    _delete_=True,
    type='AWSSearchLoop',
    heldout_dataloader={{_base_.heldout_dataloader}},
    shared_checkpoint=stage1_work_dir,  # its last_checkpoint
    # our budget for one GPU (100 policy evaluations); the yaml runs
    # finetune_lp 350 steps on 8 ranks (2800 evaluations)
    num_steps=100,
    finetune_epochs=10,  # yaml: finetune_ep
    # yaml: finetune_sc Constant, base_lr = warmup_lr = 0.001 (stage 1's
    # min_lr), no warm-up
    lr=0.001,
    # yaml: rewarded_ep 2, of all finetune_ep epochs (candidate_ratio 1)
    reward_topk=2,
    # agent/base.py: normalised sigmoids (func_name default 'sigmoid')
    controller=dict(type='AWSController', space='aws',
                    parametrization='sigmoid'),
    # yaml: agent.op_cfg Adam, betas (0.5, 0.999), weight_decay 0; the lr is
    # sc_cfg's warmup_lr 0.1
    controller_optimizer=dict(type='Adam', lr=0.1, betas=(0.5, 0.999),
                              weight_decay=0),
    # yaml: agent.sc_cfg Constant: lr 0.1 / 8 (base_lr_divisor 8) at step 0,
    # rising linearly to 0.1 at step 10 (warmup_iters 10), then constant;
    # MMEngine's LinearLR reaches end_factor at step end - 1
    controller_scheduler=dict(type='LinearLR', start_factor=0.125,
                              end_factor=1.0, begin=0, end=11,
                              by_epoch=False),
    clip=0.2,  # yaml: clip_epsilon
    ppo_steps=5,  # yaml: max_training_times
    kl_threshold=0.002,  # yaml: early_stopping_kl
    # yaml: baseline_mom 0.9, initial_baseline_ratio 0 (the running
    # baseline alone)
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
