"""store, location and product commands."""

from __future__ import annotations

from orion_desktop.cli.context import CliContext
from orion_desktop.cli.output import print_json, print_table
from orion_desktop.domain.requests import AddLocation, AddProduct, AddStore
from orion_desktop.domain.results import ProductInfo


def store_add(ctx: CliContext) -> int:
    store = ctx.services.perform(ctx.actor, AddStore(ctx.args.code, ctx.args.name))
    if ctx.json:
        print_json(store)
    else:
        print(f"Store {store.code} ({store.name}) created.")
    return 0


def store_list(ctx: CliContext) -> int:
    stores = ctx.services.catalog.list_stores()
    if ctx.json:
        print_json([{"code": s.code, "name": s.name} for s in stores])
    else:
        print_table(["CODE", "NAME"], [(s.code, s.name) for s in stores])
    return 0


def location_add(ctx: CliContext) -> int:
    location = ctx.services.perform(ctx.actor, AddLocation(ctx.args.code, ctx.args.name, ctx.args.sort_key))
    if ctx.json:
        print_json(location)
    else:
        name = f" ({location.name})" if location.name else ""
        print(f"Location {location.code}{name} saved, sort key {location.sort_key}.")
    return 0


def location_list(ctx: CliContext) -> int:
    locations = ctx.services.catalog.list_locations()
    if ctx.json:
        print_json(
            [
                {
                    "code": loc.code,
                    "name": loc.name,
                    "sort_key": loc.sort_key,
                    "is_active": loc.is_active,
                    "stock_rows": loc.stock_rows,
                    "quantity": loc.quantity,
                    "reserved_quantity": loc.reserved_quantity,
                    "available_quantity": loc.available_quantity,
                }
                for loc in locations
            ]
        )
    else:
        print_table(
            ["CODE", "NAME", "SORT", "ACTIVE", "ROWS", "QTY", "RESERVED", "AVAILABLE"],
            [
                (
                    loc.code,
                    loc.name or "",
                    loc.sort_key,
                    "yes" if loc.is_active else "no",
                    loc.stock_rows,
                    loc.quantity,
                    loc.reserved_quantity,
                    loc.available_quantity,
                )
                for loc in locations
            ],
        )
    return 0


def product_json(product: ProductInfo) -> dict[str, object]:
    return {
        "id": product.id,
        "store": product.store_code,
        "sku": product.sku,
        "gtin": product.gtin,
        "title": product.title,
        "product_type": product.product_type.value,
        "unlimited": product.unlimited,
        "is_placeholder": product.is_placeholder,
        "low_stock_threshold": product.low_stock_threshold,
        "reorder_point": product.reorder_point,
    }


def product_add(ctx: CliContext) -> int:
    args = ctx.args
    request = AddProduct(
        store=args.store,
        sku=args.sku,
        title=args.title,
        gtin=args.gtin,
        product_type=args.type,
        low_stock_threshold=args.low_stock,
        reorder_point=args.reorder_point,
    )
    product = ctx.services.perform(ctx.actor, request)
    if ctx.json:
        print_json(product_json(product))
    else:
        gtin = f", GTIN {product.gtin}" if product.gtin else ""
        print(f"Product {product.sku} ({product.title}{gtin}) added to store {product.store_code}.")
    return 0


def product_list(ctx: CliContext) -> int:
    products = ctx.services.catalog.list_products(ctx.args.store, ctx.args.search, ctx.args.limit)
    if ctx.json:
        print_json([product_json(p) for p in products])
    else:
        print_table(
            ["STORE", "SKU", "GTIN", "TITLE", "TYPE"],
            [(p.store_code, p.sku, p.gtin or "", p.title, p.product_type.value) for p in products],
        )
    return 0


def product_show(ctx: CliContext) -> int:
    product = ctx.services.catalog.get_product(ctx.args.store, ctx.args.product)
    if ctx.json:
        print_json(product_json(product))
    else:
        for key, value in product_json(product).items():
            print(f"{key:>20}: {'' if value is None else value}")
    return 0
