# Copyright (c) mmautoaug contributors. All rights reserved.
"""AWS stage 2: the controller search as an MMEngine training loop.

Stage 1 is an ordinary MMEngine training run of an
:class:`~mmautoaug.search.aws.AWSImageClassifier` (which samples pairs
uniformly) on the training split; its last checkpoint holds the shared
weights AND the optimiser state. :class:`AWSSearchLoop` then repeats, once
per controller step:

1. restore the shared weights and optimiser state into the runner's model
   (a fresh copy: nothing of the previous step survives);
2. fine-tune ``finetune_epochs`` epochs at a constant learning rate (stage
   1's final one unless ``lr`` is given) while the model samples pairs from
   the controller's current distribution and counts them;
3. reward = mean of the best ``reward_topk`` held-out accuracies (fractions
   in [0, 1]) of those epochs;
4. PPO update of the controller with ``advantage = reward - baseline``
   spread over the pairs by their usage, then the EMA baseline update.

On several ranks every rank evaluates its own sample (its own fine-tuned
copy, data order and pair draws over the whole splits, see
:class:`RankLocalSampler`); the baseline follows the mean reward, the
controller's gradients and KL are averaged, so it stays identical on every
rank. The model is used unwrapped (no gradient all-reduce between the
independent copies).
"""
import copy
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.dist import (all_gather_object, all_reduce, broadcast_object_list,
                           get_dist_info, is_main_process)
from mmengine.model import is_model_wrapper
from mmengine.runner import find_latest_checkpoint
from mmengine.runner.base_loop import BaseLoop
from mmengine.runner.checkpoint import _load_checkpoint
from torch.utils.data import DataLoader

from mmautoaug.models.policy_models.aws import ppo_update
from mmautoaug.registry import LOOPS, MODELS, OPTIMIZERS
from mmautoaug.utils import allow_mmengine_checkpoints
from .sampler import RankLocalSampler

#: File names written into ``work_dir``.
STATE_FILE = 'aws_search_state.pth'
HISTORY_FILE = 'aws_history.json'
BEST_CONTROLLER_FILE = 'aws_best_controller.pth'
POLICY_FILE = 'policy.json'


@LOOPS.register_module()
class AWSSearchLoop(BaseLoop):
    """Stage 2 of AWS: PPO search over shared, fine-tuned weights.

    Use it as ``train_cfg`` of a config whose model is the stage-1 model
    (:class:`AWSImageClassifier`), with no ``param_scheduler`` (the learning
    rate is constant) and no checkpoint hook (the loop saves the search).

    Outputs in ``work_dir`` (rank 0), rewritten after every step:
    ``policy.json`` (the whole distribution as a Policy),
    ``policy_top{k}.json`` (its ``k`` most probable pairs, for each ``k`` in
    ``export_topk``), ``aws_history.json`` (one record per step),
    ``aws_best_controller.pth`` (the controller whose evaluation gave the
    best mean reward, with its step and reward) and ``aws_search_state.pth``
    (step, baseline, controller, optimiser, history, best) from which
    ``--resume`` continues after the last finished step.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The training split (fine-tuning).
        heldout_dataloader (DataLoader | dict): The held-out split (reward).
        shared_checkpoint (str): The stage-1 checkpoint, or a work dir whose
            ``last_checkpoint`` names it. It must hold ``optimizer``.
        num_steps (int): Controller steps.
        finetune_epochs (int): Fine-tuning epochs per step. Defaults to 10
            (the paper's).
        lr (float, optional): Constant learning rate of the fine-tuning.
            Defaults to None: each param group keeps the learning rate the
            stage-1 optimiser state ends with.
        reward_topk (int): The reward is the mean of this many best held-out
            accuracies. Defaults to 2.
        controller (dict): Config of the controller. Defaults to
            ``dict(type='mmautoaug.AWSController')``.
        controller_optimizer (dict): Optimiser config (without params).
            Defaults to ``dict(type='Adam', lr=0.1)``.
        clip (float): PPO clip range. Defaults to 0.2.
        ppo_steps (int): Most PPO inner steps. Defaults to 5.
        kl_threshold (float): PPO stops when the KL to the evaluated
            distribution exceeds it (computed exactly, see
            :func:`~mmautoaug.models.policy_models.aws.kl_divergence`).
            Defaults to 0.002.
        baseline_momentum (float): EMA factor of the baseline; the first
            step's mean reward initialises it. Defaults to 0.9.
        export_topk (Sequence[int]): Top-k policy files to write. Defaults to
            ``(5, 25)``.
        resume (bool, optional): Continue from ``work_dir/aws_search_state.pth``.
            Defaults to None: follow the runner's ``resume`` (``--resume``).
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, dict],
                 heldout_dataloader: Union[DataLoader, dict],
                 shared_checkpoint: str,
                 num_steps: int,
                 finetune_epochs: int = 10,
                 lr: Optional[float] = None,
                 reward_topk: int = 2,
                 controller: dict = dict(type='mmautoaug.AWSController'),
                 controller_optimizer: dict = dict(type='Adam', lr=0.1),
                 clip: float = 0.2,
                 ppo_steps: int = 5,
                 kl_threshold: float = 0.002,
                 baseline_momentum: float = 0.9,
                 export_topk: Sequence[int] = (5, 25),
                 resume: Optional[bool] = None) -> None:
        super().__init__(runner, dataloader)
        for name, value in (('num_steps', num_steps),
                            ('finetune_epochs', finetune_epochs),
                            ('reward_topk', reward_topk),
                            ('ppo_steps', ppo_steps)):
            if int(value) != value or value < 1:
                raise ValueError(f'AWSSearchLoop: {name} must be a positive '
                                 f'integer, got {value!r}')
        if not 0.0 <= baseline_momentum < 1.0:
            raise ValueError('AWSSearchLoop: baseline_momentum must be in '
                             f'[0, 1), got {baseline_momentum}')
        if isinstance(heldout_dataloader, dict):
            heldout_dataloader = runner.build_dataloader(
                heldout_dataloader, seed=runner.seed)
        self.heldout_dataloader = heldout_dataloader
        _, world_size = get_dist_info()
        if world_size > 1:
            for name, loader in (('dataloader', self.dataloader),
                                 ('heldout_dataloader', heldout_dataloader)):
                if not isinstance(loader.sampler, RankLocalSampler):
                    raise ValueError(
                        f'AWSSearchLoop: on {world_size} ranks every rank '
                        'fine-tunes and evaluates its own copy on the whole '
                        f'split; {name} must use sampler=dict(type='
                        "'mmautoaug.RankLocalSampler'), got "
                        f'{type(loader.sampler).__name__}')
        self.shared_checkpoint = shared_checkpoint
        self.num_steps = int(num_steps)
        self.finetune_epochs = int(finetune_epochs)
        self.lr = lr
        self.reward_topk = int(reward_topk)
        self.ppo_cfg = dict(clip=clip, max_steps=int(ppo_steps),
                            kl_threshold=kl_threshold)
        self.baseline_momentum = baseline_momentum
        self.export_topk = tuple(export_topk)
        self._resume = runner._resume if resume is None else resume

        self.controller = MODELS.build(controller)
        self.controller_optimizer = OPTIMIZERS.build(
            copy.deepcopy(controller_optimizer),
            default_args=dict(params=self.controller.parameters()))
        self.step = 0
        self.finetune_epoch = 0
        self.baseline: Optional[float] = None
        self.best_reward: Optional[float] = None
        self.history: List[dict] = []
        self._epoch = 0
        self._iter = 0
        self._max_epochs = self.num_steps * self.finetune_epochs
        self._max_iters = self._max_epochs * len(self.dataloader)
        self.stop_training = False
        if hasattr(self.dataloader.dataset, 'metainfo'):
            runner.visualizer.dataset_meta = self.dataloader.dataset.metainfo

    @property
    def max_epochs(self) -> int:
        """Fine-tuning epochs of the whole search."""
        return self._max_epochs

    @property
    def max_iters(self) -> int:
        return self._max_iters

    @property
    def epoch(self) -> int:
        """Fine-tuning epochs run so far over all steps."""
        return self._epoch

    @property
    def iter(self) -> int:
        return self._iter

    @property
    def model(self) -> torch.nn.Module:
        """The runner's model, unwrapped: every rank trains its own copy."""
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    # -- the search ---------------------------------------------------------
    def run(self) -> torch.nn.Module:
        """Run the remaining controller steps."""
        if self.runner.param_schedulers:
            raise ValueError(
                'AWSSearchLoop fine-tunes at a constant learning rate; '
                'remove param_scheduler from the stage-2 config')
        for name in ('set_distribution', 'reset_usage', 'pair_usage'):
            if not hasattr(self.model, name):
                raise TypeError(
                    'AWSSearchLoop needs a model that samples pairs from a '
                    'distribution (mmautoaug.AWSImageClassifier); got '
                    f'{type(self.model).__name__} without {name!r}')
        shared = self._load_shared()
        if self._resume:
            self.load_search_state()
        self.runner.call_hook('before_train')
        while self.step < self.num_steps and not self.stop_training:
            self.run_step(shared)
        self.runner.call_hook('after_train')
        return self.runner.model

    def run_step(self, shared: dict) -> dict:
        """One controller step: restore, fine-tune, reward, PPO update."""
        model = self.model
        model.load_state_dict(shared['state_dict'])
        self.runner.optim_wrapper.load_state_dict(
            copy.deepcopy(shared['optimizer']))
        for group, lr in zip(self.runner.optim_wrapper.param_groups,
                             shared['lrs']):
            group['lr'] = lr
        with torch.no_grad():
            old_log_probs = self.controller.log_pair_probs().detach().clone()
            model.set_distribution(old_log_probs.exp())
        model.reset_usage()
        evaluated = copy.deepcopy(self.controller.state_dict())

        accuracies = []
        for self.finetune_epoch in range(self.finetune_epochs):
            self._run_epoch()
            accuracies.append(self.evaluate())
        reward = sum(sorted(accuracies)[-self.reward_topk:]) / min(
            self.reward_topk, len(accuracies))
        usage = model.pair_usage.detach().cpu().view(
            self.controller.num_candidates, -1).double()

        rewards = all_gather_object(reward)
        mean_reward = sum(rewards) / len(rewards)
        if self.baseline is None:
            self.baseline = mean_reward
        # each rank pushes the pairs IT used by ITS advantage
        advantage = reward - self.baseline
        stats = ppo_update(
            self.controller, self.controller_optimizer, old_log_probs, usage,
            advantage, all_reduce_mean=_all_reduce_mean, **self.ppo_cfg)
        record = dict(
            step=self.step, reward=mean_reward, rank_rewards=rewards,
            accuracies=accuracies, advantage=mean_reward - self.baseline,
            rank_advantages=[r - self.baseline for r in rewards])
        self.baseline = (self.baseline_momentum * self.baseline +
                         (1 - self.baseline_momentum) * mean_reward)
        record.update(
            baseline=self.baseline, ppo_steps=int(stats['steps']),
            kl=stats['kl'], ppo_stopped_early=bool(
                stats['stopped_early']),
            entropy=self.controller.entropy(),
            pairs_used=int(usage.sum()),
            top_pairs=[[i, j, p] for i, j, p in self.controller.top_pairs(5)])
        self.history.append(record)
        if self.best_reward is None or mean_reward > self.best_reward:
            self.best_reward = mean_reward
            self._save_best(evaluated, mean_reward)
        self.step += 1
        self._log(record)
        self.save_search_state()
        self.export()
        return record

    def _run_epoch(self) -> None:
        runner = self.runner
        runner.call_hook('before_train_epoch')
        self.model.train()
        for idx, data_batch in enumerate(self.dataloader):
            runner.call_hook('before_train_iter', batch_idx=idx,
                             data_batch=data_batch)
            outputs = self.model.train_step(
                data_batch, optim_wrapper=runner.optim_wrapper)
            runner.call_hook('after_train_iter', batch_idx=idx,
                             data_batch=data_batch, outputs=outputs)
            self._iter += 1
        runner.call_hook('after_train_epoch')
        self._epoch += 1

    @torch.no_grad()
    def evaluate(self) -> float:
        """Top-1 accuracy (a fraction) of this rank's copy on held-out data.

        Computed on this rank alone (not gathered over ranks as MMEngine's
        evaluators do): every rank's copy is a different evaluation.
        """
        model = self.model
        model.eval()
        correct, total = 0, 0
        for data_batch in self.heldout_dataloader:
            for sample in model.val_step(data_batch):
                correct += int(sample.pred_label.flatten()[0] ==
                               sample.gt_label.flatten()[0])
                total += 1
        model.train()
        if total == 0:
            raise ValueError('AWSSearchLoop: the held-out split is empty')
        return correct / total

    # -- checkpoints and outputs -------------------------------------------
    def _load_shared(self) -> dict:
        path = self.shared_checkpoint
        if osp.isdir(path):
            found = find_latest_checkpoint(path)
            if found is None:
                raise FileNotFoundError(
                    'AWSSearchLoop: shared_checkpoint is a directory without '
                    f'a last_checkpoint file: {path}')
            path = found
        allow_mmengine_checkpoints()
        ckpt = _load_checkpoint(path, map_location='cpu')
        missing = [k for k in ('state_dict', 'optimizer') if k not in ckpt]
        if missing:
            raise KeyError(f'AWSSearchLoop: the shared checkpoint {path} has '
                           f'no {missing}; stage 1 must save the optimiser '
                           'state (CheckpointHook(save_optimizer=True))')
        groups = ckpt['optimizer'].get('param_groups', [])
        if self.lr is not None:
            lrs = [float(self.lr)] * len(groups)
        else:
            lrs = [float(g['lr']) for g in groups]
            if not lrs or min(lrs) <= 0:
                raise ValueError(
                    f'AWSSearchLoop: stage 1 ended with learning rates {lrs} '
                    f'({path}); fine-tuning at 0 learns nothing: give the '
                    'loop an explicit lr or end stage 1 above 0')
        self.runner.logger.info(
            f'AWS: shared weights from {path}; fine-tuning lr {lrs}')
        return dict(state_dict=ckpt['state_dict'], optimizer=ckpt['optimizer'],
                    lrs=lrs, path=path)

    def state_dict(self) -> dict:
        """The search state: enough to continue after the last step."""
        return dict(
            step=self.step, baseline=self.baseline,
            best_reward=self.best_reward,
            controller=self.controller.state_dict(),
            optimizer=self.controller_optimizer.state_dict(),
            history=copy.deepcopy(self.history), epoch=self._epoch,
            iter=self._iter)

    def load_state_dict(self, state: dict) -> None:
        self.step = state['step']
        self.baseline = state['baseline']
        self.best_reward = state['best_reward']
        self.controller.load_state_dict(state['controller'])
        self.controller_optimizer.load_state_dict(state['optimizer'])
        self.history = list(state['history'])
        self._epoch = state['epoch']
        self._iter = state['iter']

    def save_search_state(self) -> None:
        if is_main_process():
            torch.save(self.state_dict(),
                       osp.join(self.runner.work_dir, STATE_FILE))

    def load_search_state(self) -> None:
        """Continue from ``work_dir/aws_search_state.pth`` if it exists."""
        path = osp.join(self.runner.work_dir, STATE_FILE)
        found = [osp.exists(path)]
        broadcast_object_list(found)
        if not found[0]:
            self.runner.logger.info(
                f'AWS: resume asked but no {path}; starting the search')
            return
        self.load_state_dict(torch.load(path, map_location='cpu'))
        self.runner.logger.info(
            f'AWS: resumed the search after step {self.step} from {path}')

    def _save_best(self, controller_state: dict, reward: float) -> None:
        if is_main_process():
            torch.save(dict(state_dict=controller_state, step=self.step,
                            reward=reward),
                       osp.join(self.runner.work_dir, BEST_CONTROLLER_FILE))

    def export(self) -> None:
        """Write the policy files and the reward history (rank 0)."""
        if not is_main_process():
            return
        work_dir = self.runner.work_dir
        meta = dict(step=self.step, baseline=self.baseline)
        self.controller.to_policy(meta=meta).save(
            osp.join(work_dir, POLICY_FILE))
        for k in self.export_topk:
            self.controller.to_policy(top_k=k, meta=meta).save(
                osp.join(work_dir, f'policy_top{k}.json'))
        with open(osp.join(work_dir, HISTORY_FILE), 'w') as f:
            json.dump(self.history, f, indent=1)

    def _log(self, record: dict) -> None:
        scalars = {
            f'aws/{k}': record[k]
            for k in ('reward', 'advantage', 'baseline', 'ppo_steps',
                      'kl', 'entropy')
        }
        self.runner.visualizer.add_scalars(scalars, step=record['step'])
        i, j, p = record['top_pairs'][0]
        self.runner.logger.info(
            f'AWS step {record["step"] + 1}/{self.num_steps}: reward '
            f'{record["reward"]:.4f} (accuracies '
            f'{[round(a, 4) for a in record["accuracies"]]}), advantage '
            f'{record["advantage"]:+.4f}, baseline {record["baseline"]:.4f}, '
            f'PPO steps {record["ppo_steps"]} (KL {record["kl"]:.5f}), '
            f'entropy {record["entropy"]:.4f}, top pair ({i}, {j}) p={p:.5f}')


def _all_reduce_mean(tensor: torch.Tensor) -> torch.Tensor:
    """Average ``tensor`` over ranks in place (no-op on one process)."""
    all_reduce(tensor, op='mean')
    return tensor


__all__ = ['AWSSearchLoop', 'STATE_FILE', 'HISTORY_FILE',
           'BEST_CONTROLLER_FILE', 'POLICY_FILE']
