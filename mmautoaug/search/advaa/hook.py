# Copyright (c) mmautoaug contributors. All rights reserved.
"""The hook that runs Adversarial AutoAugment's generator around training."""
import json
import os.path as osp
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine import dist
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import OPTIMIZERS
from mmengine.runner import EpochBasedTrainLoop

from mmautoaug.models.policy_models.advaa import (op_histogram,
                                                  reinforce_loss,
                                                  union_policy)
from mmautoaug.registry import HOOKS, MODELS

SCHEDULE_DIR = 'policy_schedule'


@HOOKS.register_module()
class AdvAAHook(Hook):
    """Sample, collect and update: the adversarial loop of AdvAA.

    - ``before_train_epoch``: the generator samples ``M`` policies (from a
      seed derived from ``(seed, epoch)`` on rank 0, then broadcast, so every
      rank uses the same ones and a resumed run draws the same ones again);
      they go to the model (:class:`AdvAAClassifier`) and to
      ``work_dir/policy_schedule/epoch_XXXX.json``; the entropy and op
      histogram are logged.
    - ``after_train_epoch``: the per-policy loss sums are summed over ranks,
      divided by the image count, and the generator takes one REINFORCE step
      (:func:`reinforce_loss`) that MAXIMISES them; the parameters are then
      broadcast from rank 0 so every rank holds the identical generator.
      ``work_dir/policy.json`` holds the policies just trained on.
    - ``after_train``: ``M`` policies from the final generator are saved to
      ``work_dir/policy_final.json``.
    - The generator, its optimiser and the epoch's policies travel in the
      checkpoint (``checkpoint['advaa']``), so ``--resume`` continues.

    Policy files hold the epoch's ``M`` policies as ONE
    :class:`~mmautoaug.policy.Policy` of ``M * Q`` sub-policies with uniform
    weights: picking one of them uniformly is picking a policy uniformly and
    then one of its sub-policies uniformly, as during the search.

    Args:
        generator (dict): The policy generator config. Defaults to
            ``AdvAAPolicyGenerator`` (LSTM 100, embeddings 32, Q=5, K=2).
        num_policies (int): ``M``, policies (copies of each batch) per epoch.
            Defaults to 8.
        optimizer (dict): The generator's optimiser. Defaults to Adam with
            lr 3.5e-4 (the paper's).
        entropy_weight (float): Entropy bonus. Defaults to 1e-5.
        op_prob (float): Application probability of each op of a chosen
            sub-policy. The paper's generator emits none and applies the ops
            of the chosen sub-policy; defaults to 1.0.
        seed (int, optional): Seed of the policy sampling; defaults to the
            runner's seed.
        priority (str | int): Hook priority. Defaults to 'NORMAL'.
    """

    def __init__(self,
                 generator: dict = dict(type='AdvAAPolicyGenerator'),
                 num_policies: int = 8,
                 optimizer: dict = dict(type='Adam', lr=3.5e-4),
                 entropy_weight: float = 1e-5,
                 op_prob: float = 1.0,
                 seed: Optional[int] = None,
                 priority: Union[int, str] = 'NORMAL'):
        self.priority = priority
        if not isinstance(num_policies, int) or num_policies < 2:
            raise ValueError(f'AdvAAHook: num_policies must be an int >= 2 '
                             f'(rewards are normalised across policies), got '
                             f'{num_policies!r}')
        if not 0.0 < op_prob <= 1.0:
            raise ValueError(f'AdvAAHook: op_prob must lie in (0, 1], got '
                             f'{op_prob!r}')
        self.generator: nn.Module = (MODELS.build(generator) if isinstance(
            generator, dict) else generator)
        self.optimizer = OPTIMIZERS.build(
            dict(optimizer, params=self.generator.parameters()))
        self.num_policies = num_policies
        self.entropy_weight = entropy_weight
        self.op_prob = op_prob
        self.seed = seed
        self.actions: Optional[torch.Tensor] = None
        self.actions_epoch: Optional[int] = None
        #: the per-policy mean training losses of the last update
        self.last_losses: Optional[torch.Tensor] = None

    # -- helpers -------------------------------------------------------------
    @staticmethod
    def _model(runner) -> nn.Module:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if not hasattr(model, 'set_policy_arrays'):
            raise TypeError(f'AdvAAHook needs an AdvAAClassifier model (with '
                            f'set_policy_arrays/pop_policy_losses), got '
                            f'{type(model).__name__}')
        return model

    def _seed(self, runner) -> int:
        return int(self.seed if self.seed is not None else runner.seed or 0)

    def _broadcast_generator(self) -> None:
        for tensor in list(self.generator.parameters()) + list(
                self.generator.buffers()):
            dist.broadcast(tensor.data, src=0)

    def sample(self, seed: int) -> torch.Tensor:
        """``M`` policies' decisions ``(M, Q, K, 2)``, identical on all
        ranks (drawn on rank 0 from ``seed``, then broadcast)."""
        rng = torch.Generator(device=next(
            self.generator.parameters()).device)
        rng.manual_seed(seed)
        with torch.no_grad():
            actions = self.generator(self.num_policies, generator=rng).actions
        dist.broadcast(actions, src=0)
        return actions

    def _policy(self, actions: torch.Tensor, meta: dict):
        """The ``M`` policies of ``actions`` as one policy of ``M * Q``
        uniformly weighted sub-policies."""
        return union_policy(
            self.generator.space.name,
            *self.generator.to_arrays(actions, self.op_prob),
            meta=dict(meta, method='advaa',
                      num_sub_policies=self.generator.num_sub_policies))

    def _log(self, runner, actions: torch.Tensor, epoch: int) -> dict:
        with torch.no_grad():
            out = self.generator(actions=actions)
        op_probs = out.op_probs
        op_entropy = -(op_probs * op_probs.clamp_min(1e-12).log()).sum(-1)
        hist = op_histogram(actions, self.generator.space.ops)
        total = sum(hist.values())
        stats = {
            'advaa/entropy': float(out.entropy.mean()),
            'advaa/op_entropy': float(op_entropy.mean()),
            'advaa/top_op_frac': max(hist.values()) / total,
        }
        runner.logger.info(
            f'AdvAA epoch {epoch}: entropy {stats["advaa/entropy"]:.4f} '
            f'(op decisions {stats["advaa/op_entropy"]:.4f}, uniform '
            f'{torch.log(torch.tensor(float(len(hist)))):.4f}), op histogram '
            + json.dumps({k: v for k, v in hist.items() if v}))
        for key, value in stats.items():
            runner.message_hub.update_scalar(f'train/{key}', value)
        runner.message_hub.update_info('advaa_op_histogram', hist)
        runner.visualizer.add_scalars(stats, step=epoch)
        return dict(stats, op_histogram=hist)

    # -- hook points ---------------------------------------------------------
    def before_train(self, runner) -> None:
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            raise TypeError('AdvAAHook: the generator is updated once per '
                            'epoch; use an EpochBasedTrainLoop '
                            "(train_cfg=dict(by_epoch=True, ...)), got "
                            f'{type(runner.train_loop).__name__}')
        self._model(runner)
        self._broadcast_generator()

    def before_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1
        if self.actions is None or self.actions_epoch != epoch:
            self.actions = self.sample(self._seed(runner) * 100003 + epoch)
            self.actions_epoch = epoch
        model = self._model(runner)
        model.set_policy_arrays(
            *self.generator.to_arrays(self.actions, self.op_prob))
        augmentor = model.augmentor
        if getattr(augmentor, 'seed', None) is not None:
            # per epoch and rank, so a resumed epoch draws the same copies
            augmentor.reseed(augmentor.seed + 1000003 * epoch + runner.rank)
        stats = self._log(runner, self.actions, epoch)
        if runner.rank == 0:
            policy = self._policy(self.actions, dict(epoch=epoch, **stats))
            policy.save(
                osp.join(runner.work_dir, SCHEDULE_DIR,
                         f'epoch_{epoch:04d}.json'))

    def after_train_epoch(self, runner) -> None:
        loss_sum, count = self._model(runner).pop_policy_losses()
        dist.all_reduce(loss_sum)
        dist.all_reduce(count)
        if float(count) <= 0:
            raise RuntimeError('AdvAAHook: no training loss was recorded '
                               'this epoch (empty data loader?)')
        losses = (loss_sum / count).float().cpu()
        self.last_losses = losses
        self.update(losses, self.actions)
        epoch = runner.epoch + 1
        runner.logger.info('AdvAA epoch %d: per-policy training losses %s',
                           epoch, [round(v, 4) for v in losses.tolist()])
        runner.visualizer.add_scalars(
            {'advaa/policy_loss_max': float(losses.max()),
             'advaa/policy_loss_min': float(losses.min())}, step=epoch)
        if runner.rank == 0:
            self._policy(self.actions,
                         dict(epoch=epoch, losses=losses.tolist())).save(
                             osp.join(runner.work_dir, 'policy.json'))

    def update(self, losses: torch.Tensor, actions: torch.Tensor) -> float:
        """One REINFORCE step on the policies ``actions`` with training
        ``losses`` ``(M,)``; returns the generator's loss."""
        self.generator.train()
        out = self.generator(actions=actions)
        loss = reinforce_loss(losses, out.log_prob, out.entropy,
                              self.entropy_weight)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        # Identical inputs give identical steps; the broadcast also removes
        # any non-deterministic kernel's last-bit differences.
        self._broadcast_generator()
        return float(loss.detach())

    def after_train(self, runner) -> None:
        actions = self.sample(self._seed(runner) * 100003 + runner.epoch + 1)
        if runner.rank == 0:
            self._policy(actions, dict(epoch=runner.epoch, final=True)).save(
                osp.join(runner.work_dir, 'policy_final.json'))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['advaa'] = dict(
            generator=self.generator.state_dict(),
            optimizer=self.optimizer.state_dict(),
            actions=None if self.actions is None else self.actions.cpu(),
            actions_epoch=self.actions_epoch)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('advaa')
        if state is None:
            runner.logger.warning('AdvAAHook: the checkpoint has no AdvAA '
                                  'state; the generator starts afresh')
            return
        self.generator.load_state_dict(state['generator'])
        self.optimizer.load_state_dict(state['optimizer'])
        device = next(self.generator.parameters()).device
        self.actions = (None if state['actions'] is None else
                        state['actions'].to(device))
        self.actions_epoch = state['actions_epoch']
