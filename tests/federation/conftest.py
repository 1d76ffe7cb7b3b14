"""Federation fixtures: the credit fixtures (networks, accounts), shared."""

from tests.credit.conftest import make_network, open_account  # noqa: F401
