"""A bounded memory of recent ids (the Node preload's Recent in interactions.ts): two generations
of at most MAX entries each, the older dropped whole when the newer fills, so a long-running
program's memory stays flat at constant cost per call."""


class Recent:
    MAX = 10000

    def __init__(self):
        self._old = {}
        self._young = {}

    def get(self, key):
        v = self._young.get(key)
        return self._old.get(key) if v is None else v

    def __contains__(self, key):
        return key in self._young or key in self._old

    def set(self, key, value):
        if len(self._young) >= self.MAX:
            self._old, self._young = self._young, {}
        self._young[key] = value
