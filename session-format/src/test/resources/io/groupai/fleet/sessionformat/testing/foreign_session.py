"""Writes a .session file with the real Pyrogram or Telethon library, offline (no Telegram contact).

usage: foreign_session.py pyrogram|telethon <file.session> <dc_id> [<user_id>]

The auth key is 256 random bytes: the file has the libraries' own schema and values, but it
cannot log in anywhere. Exit status 3 when the library is not installed.
"""
import asyncio
import os
import sys
from pathlib import Path


def pyrogram_session(path: Path, dc_id: int, user_id: int) -> None:
    from pyrogram.storage import FileStorage

    async def write():
        storage = FileStorage(path.stem, path.parent)
        await storage.open()
        await storage.dc_id(dc_id)
        await storage.api_id(12345)
        await storage.test_mode(False)
        await storage.auth_key(os.urandom(256))
        await storage.date(1700000000)
        await storage.user_id(user_id)
        await storage.is_bot(False)
        await storage.save()
        await storage.close()

    asyncio.run(write())


def telethon_session(path: Path, dc_id: int) -> None:
    from telethon.crypto import AuthKey
    from telethon.sessions import SQLiteSession

    session = SQLiteSession(str(path.parent / path.stem))  # Telethon adds ".session" itself
    session.set_dc(dc_id, "149.154.167.51", 443)
    session.auth_key = AuthKey(os.urandom(256))
    session.save()
    session.close()


def main(argv):
    if len(argv) < 4 or argv[1] not in ("pyrogram", "telethon") or not argv[2].endswith(".session"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, path, dc_id = argv[1], Path(argv[2]), int(argv[3])
    try:
        if kind == "pyrogram":
            pyrogram_session(path, dc_id, int(argv[4]) if len(argv) > 4 else 0)
        else:
            telethon_session(path, dc_id)
    except ImportError as e:
        print(f"{kind} is not installed: {e}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
