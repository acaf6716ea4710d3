# Copyright (c) mmautoaug contributors. All rights reserved.
import os.path as osp
import re

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def readme() -> str:
    with open(osp.join(HERE, 'README.md'), encoding='utf-8') as f:
        return f.read()


def get_version() -> str:
    with open(osp.join(HERE, 'mmautoaug', 'version.py'), encoding='utf-8') as f:
        exec(compile(f.read(), 'version.py', 'exec'))
    return locals()['__version__']


def parse_requirements(fname: str) -> list:
    """Read requirement specifiers from ``requirements/<fname>``.

    Lines may be blank, comments, or ``-r other.txt`` includes.
    """
    reqs = []
    with open(osp.join(HERE, 'requirements', fname), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('-r '):
                reqs.extend(parse_requirements(line[3:].strip()))
            elif re.match(r'^[A-Za-z0-9_.\-\[\]]+', line):
                reqs.append(line)
    return reqs


if __name__ == '__main__':
    setup(
        name='mmautoaug',
        version=get_version(),
        description='Automatic data-augmentation search (DADA, AWS, '
        'Adversarial AutoAugment) for OpenMMLab',
        long_description=readme(),
        long_description_content_type='text/markdown',
        keywords='data augmentation, AutoML, computer vision, OpenMMLab',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'demo')),
        include_package_data=True,
        package_data={'mmautoaug.policy': ['zoo/*.json']},
        python_requires='>=3.8',
        classifiers=[
            'Programming Language :: Python :: 3',
            'Programming Language :: Python :: 3.11',
            'Topic :: Scientific/Engineering :: Artificial Intelligence',
        ],
        license='Apache License 2.0',
        install_requires=parse_requirements('runtime.txt'),
        extras_require={
            'all': parse_requirements('runtime.txt') +
            parse_requirements('optional.txt') +
            parse_requirements('tests.txt'),
            'tests': parse_requirements('tests.txt'),
            'optional': parse_requirements('optional.txt'),
            'mim': parse_requirements('mminstall.txt'),
        },
        zip_safe=False)
