"""Board reports: plain report data in, a PDF (and its signature) out. No database, no Qt.

reportlab and pyHanko are imported inside the functions that use them, so that importing this
package costs nothing until a report is made.
"""
