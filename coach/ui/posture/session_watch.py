"""Screen lock and system sleep, heard over D-Bus on Linux desktops: the posture monitor releases
the camera while the screen is locked or the computer sleeps (:class:`SessionWatcher`). Where
there is no bus (Windows, macOS, headless tests) it stays silent; the controller then notices a
sleep from a jump of the wall clock between two of its ticks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot


class SessionWatcher(QObject):
    """Screen lock and system sleep over D-Bus (Linux desktops); silent where there is no bus."""

    locked = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connected: list[str] = []
        try:
            from PySide6.QtCore import SLOT
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        # The stubs type the slot as bytes, but PySide6 accepts only the str that SLOT() returns
        # (a bytes slot raises ValueError), hence the two type: ignore[call-overload] below.
        session = QDBusConnection.sessionBus()
        if session.isConnected():
            for service, path, iface in (
                (
                    "org.freedesktop.ScreenSaver",
                    "/org/freedesktop/ScreenSaver",
                    "org.freedesktop.ScreenSaver",
                ),
                ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
            ):
                if session.connect(
                    service, path, iface, "ActiveChanged", self, SLOT("_screensaver(bool)")
                ):  # type: ignore[call-overload]
                    self.connected.append(iface)
        system = QDBusConnection.systemBus()
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
            "org.freedesktop.login1",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            SLOT("_sleep(bool)"),
        ):
            self.connected.append("login1")

    @Slot(bool)
    def _screensaver(self, active: bool) -> None:
        self.locked.emit(bool(active))

    @Slot(bool)
    def _sleep(self, going: bool) -> None:
        self.locked.emit(bool(going))
