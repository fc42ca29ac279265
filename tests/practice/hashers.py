from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher (it reads their "md5$" hashes), counting how often
    a sign-in runs it: checking a password and hashing a new one both encode."""

    calls: dict = {}

    def encode(self, password, salt):
        self.calls["hasher"] = self.calls.get("hasher", 0) + 1
        return super().encode(password, salt)
