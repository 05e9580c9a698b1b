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


def test_window_summarises_the_register(qtbot, org_ws):
    import argparse

    from gpaitracker.ui.app import register_summary
    from tests.services.helpers import add_model

    add_model(org_ws, name="Atlas")
    title, body = register_summary(argparse.Namespace(home=str(org_ws.home)))
    window = MainWindow(title, body)
    qtbot.addWidget(window)
    assert window.title_label.text() == "Provider SA"
    assert "1 models" in window.summary_label.text()
    assert "need attention" in window.summary_label.text()


def test_window_explains_a_missing_register(home):
    import argparse

    from gpaitracker.ui.app import register_summary

    title, body = register_summary(argparse.Namespace(home=str(home)))
    assert title == "No register yet" and "gpaitracker demo" in body
    assert not home.exists()  # looking does not create a register
