"""tools/analysis/config_table.py and its recipes (config_recipes.py): the
configs/README.md table is what the resolved configs train."""
import pytest
from mmengine.config import Config
from tool_loader import load_tool

recipes = load_tool('analysis/config_recipes.py')


@pytest.mark.slow
def test_configs_readme_table_is_the_configs_own(repo_root):
    text = (repo_root / 'configs' / 'README.md').read_text()
    table = recipes.config_table(
        str(repo_root), recipes.pretraining_configs(str(repo_root)))
    assert table in text, ('configs/README.md is stale: run python '
                           'tools/analysis/config_table.py --write')


def test_recipe_line_reads_the_resolved_config(repo_root):
    configs = repo_root / 'configs'
    flagship = recipes.recipe_line(
        Config.fromfile(str(configs / 'mocov2plus_r50_200e.py')))
    assert 'MoCoV2Plus R-50 SyncBN' in flagship
    assert 'm 0.99->1' in flagship and 'sym InfoNCE t=0.2' in flagship
    assert 'solarize@0.2 (both views)' in flagship
    mocov2 = recipes.recipe_line(
        Config.fromfile(str(configs / 'mocov2_r50_200e.py')))
    assert 'm 0.999 fixed' in mocov2 and 'ShuffleBN' in mocov2
    assert 'proj 2048-2048-128 no BN' in mocov2
    asym = recipes.recipe_line(
        Config.fromfile(str(configs / 'byol_r50_200e_sgd_asym-aug.py')))
    assert 'v1: ' in asym and 'v2: ' in asym and 'blur@0.1' in asym


def test_cli_finds_its_recipes_and_the_readme(repo_root):
    """The CLI imports its helper from its own folder, however loaded, and
    writes between markers that configs/README.md has."""
    tool = load_tool('analysis/config_table.py')
    assert tool.config_table.__module__ == 'config_recipes'
    assert tool.ROOT == str(repo_root)
    text = (repo_root / 'configs' / 'README.md').read_text()
    assert tool.BEGIN in text and tool.END in text
