"""The one thing pyproject.toml cannot say: the `config/` folder ships inside `service`.

The example settings (`config/examples`) and the demo portfolio (`config/demo`) are data of the
package that reads them, installed as `service.config`, so the distribution puts no top-level
`config` package on anyone's `sys.path`; in the repository they stay where people look for them.
Everything else about the build is in pyproject.toml.
"""

from setuptools import find_packages, setup

CODE = ["connector", "rules", "reports", "service"]
DATA = "service.config"  # <- config/

setup(
    packages=[
        *find_packages(include=[p for name in CODE for p in (name, f"{name}.*")]),
        DATA,
        *(f"{DATA}.{sub}" for sub in find_packages("config")),
    ],
    package_dir={DATA: "config"},
)
