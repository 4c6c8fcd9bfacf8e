"""A harmless 'payload' for tests of refused pickles: it only writes a file."""


def touch(path: str) -> str:
    with open(path, 'w') as f:
        f.write('pickled code ran')
    return path


class Payload:
    """Unpickling this calls :func:`touch` (if the loader allowed it)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return touch, (self.path, )
