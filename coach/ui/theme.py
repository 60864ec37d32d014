"""Colours and style sheets: a calm default, a high-contrast theme and a large-text mode."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    bg: str
    panel: str
    text: str
    muted: str
    accent: str
    accent_text: str
    good: str
    warn: str
    bad: str
    border: str
    video_bg: str


CALM = Palette(
    bg="#f4f6f5", panel="#ffffff", text="#1d2b2a", muted="#5b6b69", accent="#1f6f66",
    accent_text="#ffffff", good="#2e8b57", warn="#d98e04", bad="#c0392b", border="#d5dddb",
    video_bg="#e9eeed",
)
HIGH_CONTRAST = Palette(
    bg="#000000", panel="#000000", text="#ffffff", muted="#e0e0e0", accent="#ffd400",
    accent_text="#000000", good="#00e676", warn="#ffd400", bad="#ff5252", border="#ffffff",
    video_bg="#101010",
)


def palette(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else CALM


def stylesheet(high_contrast: bool = False, large_text: bool = False) -> str:
    p = palette(high_contrast)
    base = 20 if large_text else 15
    return f"""
    QWidget {{ background: {p.bg}; color: {p.text}; font-size: {base}px; }}
    QLabel, QCheckBox, QRadioButton {{ background: transparent; }}
    QLabel[role="title"] {{ font-size: {int(base * 1.9)}px; font-weight: 600; }}
    QLabel[role="subtitle"] {{ font-size: {int(base * 1.25)}px; color: {p.muted}; }}
    QLabel[role="muted"] {{ color: {p.muted}; }}
    QLabel[role="counter"] {{ font-size: {int(base * 5)}px; font-weight: 700; }}
    QLabel[role="cue"] {{ font-size: {int(base * 2)}px; font-weight: 600; }}
    QLabel[role="banner"] {{ background: {p.panel}; border: 2px solid {p.warn}; border-radius: 8px; padding: 10px; }}
    QFrame[role="card"] {{ background: {p.panel}; border: 1px solid {p.border}; border-radius: 12px; }}
    QPushButton {{ background: {p.panel}; border: 2px solid {p.border}; border-radius: 10px; padding: 10px 18px; }}
    QPushButton:hover {{ border-color: {p.accent}; }}
    QPushButton:focus {{ border: 3px solid {p.accent}; }}
    QPushButton[role="primary"] {{ background: {p.accent}; color: {p.accent_text}; border-color: {p.accent}; font-weight: 600; }}
    QPushButton:disabled, QPushButton[role="primary"]:disabled {{ background: {p.bg}; color: {p.muted}; border: 2px dashed {p.border}; }}
    QPushButton[role="danger"] {{ color: {p.bad}; border-color: {p.bad}; }}
    QPushButton[role="pain"] {{ min-width: 44px; min-height: 44px; font-size: {int(base * 1.2)}px; }}
    QListWidget, QTextBrowser, QTableWidget, QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox, QPlainTextEdit {{
        background: {p.panel}; border: 1px solid {p.border}; border-radius: 8px; padding: 4px; }}
    QCheckBox {{ spacing: 10px; }}
    QCheckBox::indicator {{ width: 20px; height: 20px; border: 2px solid {p.muted}; border-radius: 5px; background: {p.panel}; }}
    QCheckBox::indicator:checked {{ background: {p.accent}; border: 2px solid {p.accent}; }}
    QCheckBox::indicator:disabled {{ border-color: {p.border}; }}
    QTabBar::tab {{ padding: 10px 16px; }}
    QTabBar::tab:selected {{ border-bottom: 3px solid {p.accent}; }}
    QProgressBar {{ border: 1px solid {p.border}; border-radius: 6px; text-align: center; }}
    QProgressBar::chunk {{ background: {p.accent}; }}
    """
