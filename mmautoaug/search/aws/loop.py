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
4. the running baseline absorbs the reward, ``b = m * b + (1 - m) * r``
   (starting at the first reward), then PPO updates the controller with
   ``advantage = r - b`` spread over the pairs by their usage; a step whose
   advantages are all zero (the first one) updates nothing. This is the
   authors' order (``agent/base.py``: ``_step_prologue``).

On several ranks every rank evaluates its own sample (its own fine-tuned
copy, data order and pair draws over the whole splits, see
:class:`RankLocalSampler`) and keeps its own running baseline (of its own
rewards, as in the authors' code); the controller's gradients and KL are
averaged, so it stays identical on every rank. The model is used unwrapped
(no gradient all-reduce between the independent copies).
"""
import copy
import json
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.dist import (all_gather_object, all_reduce, broadcast_object_list,
                           get_dist_info, get_rank, is_main_process)
from mmengine.model import is_model_wrapper
from mmengine.runner import find_latest_checkpoint
from mmengine.runner.base_loop import BaseLoop
from mmengine.runner.checkpoint import _load_checkpoint
from torch.utils.data import DataLoader

from mmautoaug.models.policy_models.aws import ppo_update
from mmautoaug.registry import LOOPS, MODELS, OPTIMIZERS, PARAM_SCHEDULERS
from mmautoaug.utils import allow_mmengine_checkpoints
from .export import (BEST_CONTROLLER_FILE, HISTORY_FILE, LAST_POLICY_FILE,
                     POLICY_FILE, STATE_FILE, STEP_CONTROLLER_DIR,
                     controller_record, write_policies)
from .sampler import RankLocalSampler


@LOOPS.register_module()
class AWSSearchLoop(BaseLoop):
    """Stage 2 of AWS: PPO search over shared, fine-tuned weights.

    Use it as ``train_cfg`` of a config whose model is the stage-1 model
    (:class:`AWSImageClassifier`), with no ``param_scheduler`` (the learning
    rate is constant) and no checkpoint hook (the loop saves the search).

    Outputs in ``work_dir`` (rank 0), rewritten after every step:
    ``policy.json`` (the whole distribution of the BEST evaluated
    controller, the one with the highest mean reward so far, as the
    authors retrain with their best agent), ``policy_top{k}.json`` (its
    ``k`` most probable pairs, for each ``k`` in ``export_topk``),
    ``policy_last.json`` / ``policy_last_top{k}.json`` (the same for the
    latest controller), ``aws_history.json`` (one record per step),
    ``aws_best_controller.pth`` (the best controller with its step and
    reward), ``aws_controllers/step_XXXX.pth`` (the controller evaluated at
    each step) and ``aws_search_state.pth`` (step, baselines, controller,
    optimiser, scheduler, history, best) from which ``--resume`` continues
    after the last finished step. ``tools/policy/aws_controller_to_policy.py``
    turns any of the ``.pth`` files into a policy file.

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
        controller_scheduler (dict, optional): An MMEngine parameter
            scheduler of the controller optimiser, stepped once per
            controller step (``by_epoch=False``; one "iteration" is one
            controller step), e.g. the authors' linear warm-up
            ``dict(type='LinearLR', start_factor=0.125, end=11,
            by_epoch=False)`` (0.125 of the lr at step 0, all of it from
            step 10 on). Defaults to None (a constant lr).
        clip (float): PPO clip range. Defaults to 0.2.
        ppo_steps (int): Most PPO inner steps. Defaults to 5.
        kl_threshold (float): PPO stops when the KL to the evaluated
            distribution exceeds it (computed exactly, see
            :func:`~mmautoaug.models.policy_models.aws.kl_divergence`).
            Defaults to 0.002.
        baseline_momentum (float): EMA factor of each rank's running
            baseline; the rank's first reward initialises it. Defaults to
            0.9.
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
                 controller_scheduler: Optional[dict] = None,
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
        self.controller_scheduler = None
        if controller_scheduler is not None:
            cfg = dict(copy.deepcopy(controller_scheduler))
            if cfg.setdefault('by_epoch', False):
                raise ValueError(
                    'AWSSearchLoop: controller_scheduler steps once per '
                    'controller step; set by_epoch=False (its begin/end '
                    'count controller steps)')
            self.controller_scheduler = PARAM_SCHEDULERS.build(
                cfg, default_args=dict(optimizer=self.controller_optimizer))
        self.step = 0
        self.finetune_epoch = 0
        # one running baseline per rank, of that rank's own rewards
        self.baselines: Optional[List[float]] = None
        self.best_reward: Optional[float] = None
        self.best_step: Optional[int] = None
        self.best_controller: Optional[dict] = None  # its state_dict
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
        evaluated = controller_record(self.controller)

        accuracies = []
        for self.finetune_epoch in range(self.finetune_epochs):
            self._run_epoch()
            accuracies.append(self.evaluate())
        reward = sum(sorted(accuracies)[-self.reward_topk:]) / min(
            self.reward_topk, len(accuracies))
        usage = model.pair_usage.detach().cpu().view(
            self.controller.num_candidates, -1).double()

        rewards = [float(r) for r in all_gather_object(reward)]
        mean_reward = sum(rewards) / len(rewards)
        advantages = self._absorb(rewards)
        lr = [g['lr'] for g in self.controller_optimizer.param_groups]
        if any(a != 0.0 for a in advantages):
            # each rank pushes the pairs IT used by ITS advantage
            stats = ppo_update(
                self.controller, self.controller_optimizer, old_log_probs,
                usage, advantages[get_rank()],
                all_reduce_mean=_all_reduce_mean, **self.ppo_cfg)
        else:  # no signal: an Adam step on zero would only skew its state
            stats = dict(steps=0.0, kl=0.0, stopped_early=0.0)
        if self.controller_scheduler is not None:
            with warnings.catch_warnings():
                # the schedule counts controller steps, updated or not
                warnings.filterwarnings(
                    'ignore', r'Detected call of `scheduler.step\(\)` '
                    r'before `optimizer.step\(\)`')
                self.controller_scheduler.step()
        record = dict(
            step=self.step, reward=mean_reward, rank_rewards=rewards,
            accuracies=accuracies,
            advantage=sum(advantages) / len(advantages),
            rank_advantages=advantages,
            baseline=sum(self.baselines) / len(self.baselines),
            rank_baselines=list(self.baselines), controller_lr=lr,
            ppo_steps=int(stats['steps']), kl=stats['kl'],
            ppo_stopped_early=bool(stats['stopped_early']),
            entropy=self.controller.entropy(),
            pairs_used=int(usage.sum()),
            top_pairs=[[i, j, p] for i, j, p in self.controller.top_pairs(5)])
        self.history.append(record)
        self._save_step_controller(evaluated, mean_reward, rewards)
        if self.best_reward is None or mean_reward > self.best_reward:
            self.best_reward = mean_reward
            self.best_step = self.step
            self.best_controller = evaluated['state_dict']
            self._save_best(evaluated, mean_reward)
        self.step += 1
        self._log(record)
        self.save_search_state()
        self.export()
        return record

    def _absorb(self, rewards: List[float]) -> List[float]:
        """Every rank's running baseline absorbs that rank's reward; the
        advantages ``reward - baseline`` after it (zero at the first step,
        where each baseline starts at its rank's reward)."""
        if self.baselines is None:
            # m * r + (1 - m) * r need not round back to r: start exactly
            self.baselines = list(rewards)
            return [0.0] * len(rewards)
        if len(self.baselines) != len(rewards):
            raise RuntimeError(
                f'AWSSearchLoop: the search state holds {len(self.baselines)}'
                f' rank baselines but {len(rewards)} ranks run; resume with '
                'the world size the search started with')
        m = self.baseline_momentum
        self.baselines = [m * b + (1 - m) * r
                          for b, r in zip(self.baselines, rewards)]
        return [r - b for r, b in zip(rewards, self.baselines)]

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
        scheduler = self.controller_scheduler
        return dict(
            step=self.step, baselines=self.baselines,
            best_reward=self.best_reward, best_step=self.best_step,
            best_controller=self.best_controller,
            controller=self.controller.state_dict(),
            space=self.controller.space.name,
            parametrization=self.controller.parametrization,
            optimizer=self.controller_optimizer.state_dict(),
            scheduler=None if scheduler is None else scheduler.state_dict(),
            history=copy.deepcopy(self.history), epoch=self._epoch,
            iter=self._iter)

    def load_state_dict(self, state: dict) -> None:
        missing = [k for k in ('baselines', 'best_step', 'best_controller',
                               'scheduler') if k not in state]
        if missing:
            raise KeyError(
                f'AWSSearchLoop: the search state lacks {missing}: it was '
                'saved by an older mmautoaug (one shared baseline, policy.json '
                'from the latest controller); start a new search')
        self.step = state['step']
        self.baselines = state['baselines']
        self.best_reward = state['best_reward']
        self.best_step = state['best_step']
        self.best_controller = state['best_controller']
        self.controller.load_state_dict(state['controller'])
        self.controller_optimizer.load_state_dict(state['optimizer'])
        if (state['scheduler'] is None) != (self.controller_scheduler is
                                            None):
            raise ValueError(
                'AWSSearchLoop: resuming with'
                f'{"out" if self.controller_scheduler is None else ""} a '
                'controller_scheduler, but the saved search was run '
                f'with{"out" if state["scheduler"] is None else ""} one')
        if self.controller_scheduler is not None:
            self.controller_scheduler.load_state_dict(state['scheduler'])
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

    def _save_best(self, record: dict, reward: float) -> None:
        if is_main_process():
            torch.save(dict(record, step=self.step, reward=reward),
                       osp.join(self.runner.work_dir, BEST_CONTROLLER_FILE))

    def _save_step_controller(self, record: dict, reward: float,
                              rewards: List[float]) -> None:
        if is_main_process():
            folder = osp.join(self.runner.work_dir, STEP_CONTROLLER_DIR)
            os.makedirs(folder, exist_ok=True)
            torch.save(dict(record, step=self.step, reward=reward,
                            rank_rewards=rewards),
                       osp.join(folder, f'step_{self.step:04d}.pth'))

    def export(self) -> None:
        """Write the policy files and the reward history (rank 0).

        ``policy*.json`` come from the best evaluated controller,
        ``policy_last*.json`` from the latest one.
        """
        if not is_main_process() or self.best_step is None:
            return
        work_dir = self.runner.work_dir
        best = copy.deepcopy(self.controller)
        best.load_state_dict(self.best_controller)
        write_policies(
            best, work_dir, POLICY_FILE, self.export_topk,
            dict(controller='best', step=self.best_step,
                 reward=self.best_reward))
        write_policies(
            self.controller, work_dir, LAST_POLICY_FILE, self.export_topk,
            dict(controller='last', after_step=self.step - 1,
                 reward=self.history[-1]['reward']))
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
           'BEST_CONTROLLER_FILE', 'POLICY_FILE', 'LAST_POLICY_FILE']
