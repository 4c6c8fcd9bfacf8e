"""Import a script under tools/ as a module, to call its main() in-process."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_tool(rel: str):
    path = ROOT / 'tools' / rel
    spec = importlib.util.spec_from_file_location(
        'tool_' + rel.replace('/', '_')[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
