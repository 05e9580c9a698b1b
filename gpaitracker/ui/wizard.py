"""The first-run wizard: the organisation, its first admin and first model, or the demo."""

from __future__ import annotations

import getpass
import socket
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from gpaitracker import parse
from gpaitracker.errors import UserError, ValidationError
from gpaitracker.services import ai_models, demo, organisation
from gpaitracker.services.workspace import Workspace
from gpaitracker.ui.messages import CrashDialog, show_error
from gpaitracker.ui.widgets import error_label
from gpaitracker.ui.worker import Worker

SYSTEMIC_RISK_FLOP = 1e25  # Art. 51(2): the presumption of high-impact capabilities


def _hint(text: str) -> QLabel:
    """An explanation under a field: smaller, in the palette's own text colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label


def _required(text: str, field: str) -> str:
    value = parse.utf8(text, field).strip()
    if not value:
        raise ValidationError(f"{field} must not be empty")
    return value


class _Page(QWizardPage):
    """A page with a form, a line for the field that is wrong, and a busy indicator."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = QFormLayout()
        self.error_label = error_label()
        self.busy_label = QLabel(self.tr("Creating the register…"))
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        for widget in (self.error_label, self.busy_label, self.busy_bar):
            layout.addWidget(widget)
        self.set_busy(False)

    def row(self, label: str, widget: QWidget, hint: str | QLabel = "") -> None:
        """A field with its label (its mnemonic focuses the field) and a hint beneath it."""
        if not hint:
            self.form.addRow(label, widget)
            return
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(hint if isinstance(hint, QLabel) else _hint(hint))
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.form.addRow(caption, box)

    def set_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def validatePage(self) -> bool:
        try:
            self.check()
        except ValidationError as exc:
            self.show_error(str(exc))
            return False
        self.show_error("")
        return True

    def check(self) -> Any:
        """The page's values, checked; raises ValidationError naming the field."""
        raise NotImplementedError


class OrganisationPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            self.tr("Your organisation"),
            self.tr("The provider whose GPAI obligations this register tracks."),
        )
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("e.g. Provider SA"))
        self.non_eu_check = QCheckBox(self.tr("Established &outside the EU"))
        self.sme_check = QCheckBox(self.tr("&SME or start-up"))
        self.signatory_check = QCheckBox(self.tr("Signatory of the GPAI &Code of Practice"))
        self.row(self.tr("Organisation &name:"), self.name_edit)
        self.row(
            "",
            self.non_eu_check,
            self.tr(
                "Providers outside the EU must appoint an authorised representative in the "
                "Union before placing a model on the market (Art. 54)."
            ),
        )
        self.row(
            "",
            self.sme_check,
            self.tr(
                "SMEs may comply through simplified, proportionate measures; the AI Office "
                "takes their size into account."
            ),
        )
        self.row(
            "",
            self.signatory_check,
            self.tr(
                "Signatories show compliance by following the Code's measures; the register "
                "then tracks each of its commitments."
            ),
        )

    def check(self) -> dict[str, Any]:
        return {
            "name": _required(self.name_edit.text(), "organisation name"),
            "non_eu": self.non_eu_check.isChecked(),
            "sme": self.sme_check.isChecked(),
            "signatory": self.signatory_check.isChecked(),
        }


class PersonPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            self.tr("You"),
            self.tr(
                "Your own person record. You become the register's first admin: you add "
                "colleagues, give them roles and change the organisation's facts."
            ),
        )
        self.name_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText(self.tr("name@provider.eu"))
        self.row(self.tr("Your &name:"), self.name_edit)
        self.row(
            self.tr("Your &email:"),
            self.email_edit,
            self.tr("Identifies you in the audit trail; you can change it later."),
        )

    def check(self) -> tuple[str, str]:
        name = _required(self.name_edit.text(), "your name")
        return name, parse.email(self.email_edit.text(), "your email")


class ModelPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            self.tr("Your first AI model"),
            self.tr("Its facts decide which obligations apply and when they are due."),
        )
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(self.tr("e.g. Atlas 2"))
        self.version_edit = QLineEdit()
        self.version_edit.setPlaceholderText(self.tr("optional"))
        self.placed_edit = QDateEdit(QDate.currentDate())
        self.placed_edit.setCalendarPopup(True)
        self.placed_edit.setDisplayFormat("yyyy-MM-dd")
        self.placed_edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
        self.flop_edit = QLineEdit()
        self.flop_edit.setPlaceholderText(self.tr("e.g. 3e24 (leave empty if unknown)"))
        self.flop_hint = _hint("")
        self.open_source_check = QCheckBox(
            self.tr("Released under a free and &open-source licence")
        )
        self.systemic_check = QCheckBox(self.tr("&Designated by the Commission as systemic risk"))
        self.row(self.tr("Model &name:"), self.name_edit)
        self.row(self.tr("&Version:"), self.version_edit)
        self.row(
            self.tr("&Placed on the market:"),
            self.placed_edit,
            self.tr(
                "Models placed on the market before 2 August 2025 have until 2 August 2027 "
                "to comply (Art. 111(3))."
            ),
        )
        self.row(self.tr("Training &compute (FLOP):"), self.flop_edit, self.flop_hint)
        self.row(
            "",
            self.open_source_check,
            self.tr("Open-source models are spared some documentation duties (Art. 53(2))."),
        )
        self.row(
            "",
            self.systemic_check,
            self.tr("Systemic risk adds the Art. 55 obligations and the Code's safety chapter."),
        )
        self.flop_edit.textChanged.connect(self._on_flop_changed)
        self._on_flop_changed("")

    def _on_flop_changed(self, text: str) -> None:
        try:
            flop = parse.flop(text)
        except ValidationError:
            flop = None
        if flop is not None and flop > SYSTEMIC_RISK_FLOP:
            self.flop_hint.setText(
                self.tr("Above 1e25 FLOP the model is presumed to have systemic risk (Art. 51(2)).")
            )
        else:
            self.flop_hint.setText(
                self.tr(
                    "Cumulative compute used to train the model. Above 1e25 FLOP a model is "
                    "presumed to have systemic risk (Art. 51(2))."
                )
            )

    def check(self) -> dict[str, Any]:
        return {
            "name": _required(self.name_edit.text(), "model name"),
            "version": parse.utf8(self.version_edit.text(), "model version").strip(),
            "placed_on_market": parse.date(
                self.placed_edit.date().toPython(), "placed-on-market date"
            ),
            "training_flop": parse.flop(self.flop_edit.text()),
            "open_source": self.open_source_check.isChecked(),
            "systemic_risk": self.systemic_check.isChecked(),
        }

    def validatePage(self) -> bool:
        if not super().validatePage():
            return False
        wizard = self.wizard()
        assert isinstance(wizard, FirstRunWizard)
        return wizard.submit()


def _system_user() -> tuple[str, str]:
    """The operating-system user, as the demo register's admin when none was given."""
    user = getpass.getuser() or "admin"
    host = socket.gethostname().split(".")[0] or "localhost"
    return user, f"{user}@{host}.local".lower()


class FirstRunWizard(QWizard):
    """Creates the register on an empty workspace; created_admin_email names who to act as."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.created_admin_email: str | None = None
        self.created_demo = False
        self.task: Any = None
        self._created = False
        self.worker = Worker(self)
        self.setWindowTitle(self.tr("Welcome to GPAI Tracker"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.organisation_page = OrganisationPage()
        self.person_page = PersonPage()
        self.model_page = ModelPage()
        for page in (self.organisation_page, self.person_page, self.model_page):
            self.addPage(page)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(
            QWizard.WizardButton.CustomButton1, self.tr("Open the &demo register instead")
        )
        self.demo_button = self.button(QWizard.WizardButton.CustomButton1)
        self.demo_button.setToolTip(
            self.tr("An example provider with three models, people, evidence and overdue work.")
        )
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Create register"))
        self.setButtonLayout(
            [
                QWizard.WizardButton.CustomButton1,
                QWizard.WizardButton.Stretch,
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.NextButton,
                QWizard.WizardButton.FinishButton,
                QWizard.WizardButton.CancelButton,
            ]
        )
        self.next_button = self.button(QWizard.WizardButton.NextButton)
        self.finish_button = self.button(QWizard.WizardButton.FinishButton)
        self.resize(640, 520)
        self._connect()

    def _connect(self) -> None:
        self.customButtonClicked.connect(self._on_custom_button)

    # -- creating --------------------------------------------------------------------------

    def submit(self) -> bool:
        """Called by the last page: True once the register exists, else start creating it."""
        if self._created:
            return True
        try:
            org = self.organisation_page.check()
            admin_name, admin_email = self.person_page.check()
            model = self.model_page.check()
        except ValidationError as exc:
            self.model_page.show_error(str(exc))
            return False
        ws = self.ws

        def create(_progress: Any, _cancelled: Any) -> tuple[str, bool]:
            if not ws.read(organisation.exists):  # a retry after the model was refused
                ws.create(
                    organisation.create_register,
                    admin_name=admin_name,
                    admin_email=admin_email,
                    **org,
                )
            ws.act_as(admin_email)
            ws.write(ai_models.add_model, **model)
            return admin_email, False

        self._start(create)
        return False

    def _on_custom_button(self, which: int) -> None:
        if which != QWizard.WizardButton.CustomButton1.value or self.task is not None:
            return
        try:
            name, email = self.person_page.check()
        except ValidationError:
            name, email = _system_user()
        ws = self.ws

        def create_demo(_progress: Any, _cancelled: Any) -> tuple[str, bool]:
            ws.create(demo.create, store=ws.store, admin_name=name, admin_email=email)
            ws.act_as(email)
            return email, True

        self._start(create_demo)

    def _start(self, job: Any) -> None:
        self._set_busy(True)
        self.task = self.worker.start(
            job,
            finished=self._on_created,
            failed=self._on_failed,
            crashed=self._on_crashed,
        )

    def _set_busy(self, busy: bool) -> None:
        page = self.currentPage()
        if isinstance(page, _Page):
            page.set_busy(busy)
        for which in (
            QWizard.WizardButton.CustomButton1,
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ):
            self.button(which).setEnabled(not busy)

    def _on_created(self, result: tuple[str, bool]) -> None:
        self.task = None
        self._set_busy(False)
        self.created_admin_email, self.created_demo = result
        self._created = True
        self.accept()

    def _on_failed(self, exc: UserError) -> None:
        self.task = None
        self._set_busy(False)
        page = self.currentPage()
        if isinstance(page, _Page):
            page.show_error(str(exc))
        else:
            show_error(self, exc)

    def _on_crashed(self, report: str) -> None:
        self.task = None
        self._set_busy(False)
        CrashDialog.show_for(self, report)

    def done(self, result: int) -> None:
        if self.task is not None:
            return  # creating: neither Cancel nor Escape may leave half a register
        if self._created and result == QDialog.DialogCode.Accepted.value:
            QDialog.done(self, result)  # the demo may finish from any page
            return
        super().done(result)
