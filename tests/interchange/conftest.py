import shutil

import pytest

from gpaitracker.migrate import open_register
from gpaitracker.services import demo
from gpaitracker.services.workspace import Workspace

ADMIN = "ada@provider.eu"


@pytest.fixture(scope="session")
def _demo_folder(tmp_path_factory, _empty_register_file):
    """The example register (3 models, 88 items, evidence files), built once."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copyfile(_empty_register_file, folder / "register.sqlite")
    ws = Workspace(open_register(folder))
    ws.create(demo.create, store=ws.store, admin_name="Ada Admin", admin_email=ADMIN)
    ws.close()
    return folder


@pytest.fixture
def demo_ws(home, _demo_folder):
    """A copy of the example register in this test's folder, acting as its admin."""
    shutil.copytree(_demo_folder, home, dirs_exist_ok=True)
    ws = Workspace(open_register(home))
    yield ws
    ws.close()
