"""The paper's standard-Transformer baseline on any task (hidden 256, Adam 3e-4, batch 50, 100 epochs).

  python -m tpjax.main --config=configs/standard.py:sort
"""

import importlib.util
import os

from tpjax.config import standard_baseline


def get_config(task: str = "sort"):
    path = os.path.join(os.path.dirname(__file__), f"{task}.py")
    if task == "standard" or not os.path.isfile(path):
        known = sorted(name[:-3] for name in os.listdir(os.path.dirname(__file__)) if name.endswith(".py"))
        raise ValueError(f"no task config configs/{task}.py; use one of {', '.join(n for n in known if n != 'standard')}")
    spec = importlib.util.spec_from_file_location(f"tpjax_config_{task}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return standard_baseline(module.get_config())
