"""The one packaging step pyproject.toml cannot express: ship the sample application.

``packetbuilder init`` copies ``samples/``. A source checkout (and an editable install)
reads it in place; a wheel gets a copy as ``packetbuilder/starter``, made here at build
time, so ``samples/`` stays the only source of the sample's content.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithStarter(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "packetbuilder" / "starter"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(Path(__file__).parent / "samples", target,
                        ignore=shutil.ignore_patterns("build", ".*", "__pycache__"))


setup(cmdclass={"build_py": BuildWithStarter})
