"""The menu editor (Staff → Menus, admins only): the header and footer menus.

Items are added, relabelled, moved (Move up / Move down, or dragged: static/
js/menus.js sends the item's move form with its new position) and removed.
htmx gets the changed menu, which swaps itself, with the status line out of
band and focus on the control that was used (autofocus); without JavaScript
each form posts and redirects back (303), and a refused one shows the page
again (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask import Response
from flask import flash
from flask import url_for

from blueprints.staff.access import MENUS
from blueprints.staff.access import role_required
from blueprints.staff.menu_forms import MenuItemEditForm
from blueprints.staff.menu_forms import MenuItemForm
from blueprints.staff.menu_forms import MenuMoveForm
from blueprints.staff.menu_items import DEFAULTS
from blueprints.staff.menu_items import MAX_ITEMS
from blueprints.staff.menu_items import TITLES
from blueprints.staff.menu_items import EditorItem
from blueprints.staff.menu_items import add_item
from blueprints.staff.menu_items import changed
from blueprints.staff.menu_items import menu_items
from blueprints.staff.menu_items import move_item
from blueprints.staff.menu_items import remove_item
from blueprints.staff.menu_items import target_choices
from blueprints.staff.views import bp
from models import MenuItem
from models import MenuName
from models import MenuTarget
from models import db
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

PAGE = "staff/menus.html"
CHANGED = "staff/_menu_changed.html"
FULL = f"A menu holds at most {MAX_ITEMS} links: remove one first."


@dataclass
class MenuEditor:
    """One menu in the editor: its items, their forms and the add form."""

    name: MenuName
    items: list[EditorItem]
    add_form: MenuItemForm
    edit_forms: dict[int, MenuItemEditForm] = field(default_factory=dict)
    focus: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.name]

    @property
    def defaults(self) -> str:
        return DEFAULTS[self.name]

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_ITEMS


def _add_form(menu: MenuName, choices: dict, blank: bool = False) -> MenuItemForm:
    """The add form of menu, read from the request unless blank."""
    form = MenuItemForm(prefix=menu.value, **({"formdata": None} if blank else {}))
    form.target.choices = choices
    return form


def _edit_form(item: MenuItem, blank: bool = False) -> MenuItemEditForm:
    """An item's label form (and address, for a link), read unless blank."""
    if blank:
        form = MenuItemEditForm(
            prefix=f"item-{item.id}", formdata=None, label=item.label, url=item.url
        )
    else:
        form = MenuItemEditForm(prefix=f"item-{item.id}")
    form.link = item.target == MenuTarget.URL
    return form


def _name_fields(form: MenuItemEditForm, shown: str) -> None:
    """Label the item's fields with its name: every item has the same form."""
    form.label.label.text = f"Label of “{shown}”"
    form.url.label.text = f"Address of “{shown}”"


def _editors(menus: list[MenuName], changed_menu: MenuName, **state) -> list:
    """The editors of menus; changed_menu's carries state: the add or edit
    form that was sent (add_form; edit_form for item edit_id), and focus."""
    found = menu_items(menus[0] if len(menus) == 1 else None)
    choices = target_choices()
    editors = []
    for name in menus:
        sent = state if name == changed_menu else {}
        add = sent.get("add_form") or _add_form(name, choices, blank=True)
        editor = MenuEditor(name, found[name], add, focus=sent.get("focus", ""))
        for entry in editor.items:
            if entry.item.id == sent.get("edit_id"):
                form = sent["edit_form"]
            else:
                form = _edit_form(entry.item, blank=True)
            _name_fields(form, entry.shown)
            editor.edit_forms[entry.item.id] = form
        editors.append(editor)
    return editors


def _answer(menu: MenuName, status: int = 200, message: str = "", **state) -> Response:
    """After a change: htmx gets the menu and the status line; a plain post,
    a redirect back (or the page again when refused)."""
    if status < 400 and not wants_fragment():
        flash(message, "success")
        return see_other(url_for("staff.menus", _anchor=f"menu-{menu.value}"))
    menus = [menu] if wants_fragment() else list(MenuName)
    editors = _editors(menus, menu, **state)
    return render(PAGE, CHANGED, status, editors=editors, message=message)


@bp.get("/menus")
@role_required(MENUS)
def menus():
    """Both menus, each with its items and a form to add one."""
    editors = _editors(list(MenuName), MenuName.HEADER)
    return render(PAGE, PAGE, editors=editors, message="")


@bp.post("/menus/<any(header, footer):menu>/items")
@role_required(MENUS)
def menu_add(menu: str):
    """Add an item at the end of a menu."""
    name = MenuName(menu)
    form = _add_form(name, target_choices())
    if not form.validate_on_submit():
        first = next(f.short_name for f in form if f.errors)
        return _answer(
            name, 422, "Not added: check the form.", add_form=form, focus=f"add-{first}"
        )
    with write_transaction() as transaction:
        label, url = form.label.data or "", form.url.data or ""
        item = add_item(name, form.target.data, label, url)
        if item is None:
            transaction.rollback()
            form.target.errors = [FULL]
            return _answer(name, 422, FULL, add_form=form, focus="add-target")
        db.session.flush()
        shown = EditorItem.of(item).shown
    message = f"Added “{shown}” to the {TITLES[name].lower()}."
    return _answer(name, message=message, focus="add-target")


@bp.post("/menus/items/<int:item_id>")
@role_required(MENUS)
def menu_item_update(item_id: int):
    """Change an item's label (and a link's address)."""
    item = db.get_or_404(MenuItem, item_id)
    name, form = item.menu, _edit_form(item)
    if not form.validate_on_submit():
        first = next(f.short_name for f in form if f.errors)
        return _answer(
            name,
            422,
            "Not saved: check the item.",
            edit_form=form,
            edit_id=item_id,
            focus=f"{first}-{item_id}",
        )
    with write_transaction():
        item = db.get_or_404(MenuItem, item_id)
        item.label = form.label.data or ""
        if form.link:
            item.url = form.url.data
        changed()
        shown = EditorItem.of(item).shown
    return _answer(name, message=f"Saved “{shown}”.", focus=f"label-{item_id}")


@bp.post("/menus/items/<int:item_id>/move")
@role_required(MENUS)
def menu_item_move(item_id: int):
    """Move an item one place up or down, or to a position (dragged there)."""
    form = MenuMoveForm()
    item = db.get_or_404(MenuItem, item_id)
    name = item.menu
    if not form.validate_on_submit():
        return _answer(name, 422, "Not moved: choose Move up or Move down.")
    with write_transaction():
        item = db.get_or_404(MenuItem, item_id)
        before = item.position
        wanted = _wanted_index(form, before)
        after, size = move_item(item, wanted)
        shown = EditorItem.of(item).shown
    message = f"Moved “{shown}” to position {after + 1} of {size} in the {TITLES[name].lower()}."
    return _answer(
        name, message=message, focus=_focus_after_move(item_id, before, after, size)
    )


def _wanted_index(form: MenuMoveForm, current: int) -> int:
    """Where the move form asks the item to go (0 = first)."""
    if form.position.data is not None:
        return form.position.data - 1
    return current - 1 if form.direction.data == "up" else current + 1


def _focus_after_move(item_id: int, before: int, after: int, size: int) -> str:
    """What to focus after a move: the moved item's button for the way it went,
    or the other one when that is now disabled (first or last place)."""
    if size < 2:
        return "heading"
    if after == 0:
        return f"down-{item_id}"
    if after == size - 1 or after < before:
        return f"up-{item_id}"
    return f"down-{item_id}"


@bp.post("/menus/items/<int:item_id>/delete")
@role_required(MENUS)
def menu_item_delete(item_id: int):
    """Remove an item from its menu."""
    with write_transaction():
        item = db.get_or_404(MenuItem, item_id)
        name, shown = item.menu, EditorItem.of(item).shown
        remove_item(item)
    message = f"Removed “{shown}” from the {TITLES[name].lower()}."
    return _answer(name, message=message, focus="heading")
