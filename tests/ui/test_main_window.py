from PySide6.QtCore import QSettings

from gpaitracker.ui.main_window import MainWindow


def test_window_opens_and_remembers_its_size(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "GPAI Tracker"
    window.resize(700, 480)
    window.close()
    assert QSettings().value("main_window/geometry") is not None
    again = MainWindow()
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 480)
