import PDFDocument from "pdfkit";
import { createMoneyFormatter } from "./money.js";
import type { Order, OrderItem } from "./schema.js";
import { toWinAnsi } from "./win-ansi.js";

export interface RenderOptions {
  /** Deflate the page streams (default true). Tests turn it off to read the text back. */
  readonly compress?: boolean;
  /** The IANA zone the payment time is printed in (default UTC). */
  readonly timeZone?: string;
  /** BCP 47 tag for amounts and dates (default en-US). */
  readonly locale?: string;
}

// A5 portrait: big enough for a readable receipt, small enough to print on a kiosk or show on a phone.
const PAGE = { size: "A5", margin: 36 } as const;
const AMOUNT_WIDTH = 130;
const GAP = 10;
const BODY_SIZE = 10;
const DETAIL_SIZE = 8;

/**
 * Renders the receipt of a (validated, consistent) order as a PDF: store, order id, payment time, customer,
 * one row per item, subtotal/tax/total and the payment id. Deterministic: the document's dates come from
 * `paidAt` and pdfkit derives the file ID from that info dictionary, so nothing random or clock-based enters
 * and the same order gives the same bytes.
 */
export async function renderReceipt(order: Order, options: RenderOptions = {}): Promise<Buffer> {
  const paidAt = new Date(order.paidAt);
  const locale = options.locale ?? "en-US";
  const formatMoney = createMoneyFormatter(locale, order.totals.currency);
  const money = (minorUnits: number) => toWinAnsi(formatMoney(minorUnits));
  const time = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "long",
    timeZone: options.timeZone ?? "UTC",
  });

  const doc = new PDFDocument({
    size: PAGE.size,
    margin: PAGE.margin,
    compress: options.compress ?? true,
    // No customer data in the metadata: a document's properties travel further than its pages.
    info: {
      Title: `Receipt ${order.orderId}`,
      Author: order.store.name,
      Creator: "coffee-edge receipt",
      Producer: "PDFKit",
      CreationDate: paidAt,
      ModDate: paidAt,
    },
  });
  const done = collect(doc);
  const page = new PageWriter(doc, `Receipt for order ${toWinAnsi(order.orderId)} (continued)`);
  const count = new Intl.NumberFormat(locale);

  page.line(toWinAnsi(order.store.name), { font: "Helvetica-Bold", size: 16 });
  page.line(`Store ${toWinAnsi(order.store.id)}`, { size: DETAIL_SIZE, color: "#555555" });
  page.space(10);
  page.line(`Receipt for order ${toWinAnsi(order.orderId)}`, { font: "Helvetica-Bold", size: BODY_SIZE });
  page.line(`Paid ${toWinAnsi(time.format(paidAt))}`, { size: BODY_SIZE });
  if (order.customer) page.line(`Customer: ${toWinAnsi(order.customer.name)}`, { size: BODY_SIZE });
  page.rule(12);

  for (const item of order.items) page.item(describeItem(item, money, count));
  page.rule(8);

  page.pair("Subtotal", money(order.totals.subtotal), { size: BODY_SIZE });
  page.pair("Tax", money(order.totals.tax), { size: BODY_SIZE });
  page.pair(`Total (${order.totals.currency})`, money(order.totals.total), { font: "Helvetica-Bold", size: 12 });
  page.space(12);
  page.line(`Payment ${toWinAnsi(order.paymentId)}`, { size: DETAIL_SIZE, color: "#555555" });
  page.line("Thank you for your visit.", { size: DETAIL_SIZE, color: "#555555" });

  doc.end();
  return done;
}

interface ItemRow {
  name: string;
  amount: string;
  detail: string;
}

function describeItem(item: OrderItem, money: (minor: number) => string, count: Intl.NumberFormat): ItemRow {
  return {
    name: toWinAnsi(item.name),
    amount: money(item.quantity * item.unitPrice),
    detail: toWinAnsi(`${count.format(item.quantity)} \u00d7 ${money(item.unitPrice)}   SKU ${item.sku}`),
  };
}

interface TextStyle {
  font?: "Helvetica" | "Helvetica-Bold";
  size: number;
  color?: string;
}

/** Writes top to bottom at explicit positions, starting a new page before a block that would not fit. */
class PageWriter {
  private y: number;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    /** Heads every page after the first, so a loose page still says which receipt it belongs to. */
    private readonly continuation: string,
  ) {
    this.y = doc.page.margins.top;
  }

  private get left(): number {
    return this.doc.page.margins.left;
  }

  private get width(): number {
    return this.doc.page.width - this.doc.page.margins.left - this.doc.page.margins.right;
  }

  line(text: string, style: TextStyle): void {
    this.style(style);
    const height = this.doc.heightOfString(text, { width: this.width });
    this.ensureRoom(height);
    this.doc.text(text, this.left, this.y, { width: this.width });
    this.y += height + 2;
  }

  pair(label: string, value: string, style: TextStyle): void {
    this.style(style);
    const labelWidth = this.width - AMOUNT_WIDTH - GAP;
    const height = Math.max(
      this.doc.heightOfString(label, { width: labelWidth }),
      this.doc.heightOfString(value, { width: AMOUNT_WIDTH }),
    );
    this.ensureRoom(height);
    this.doc.text(label, this.left, this.y, { width: labelWidth });
    this.doc.text(value, this.left + this.width - AMOUNT_WIDTH, this.y, { width: AMOUNT_WIDTH, align: "right" });
    this.y += height + 3;
  }

  item(row: ItemRow): void {
    const detailStyle: TextStyle = { size: DETAIL_SIZE, color: "#555555" };
    this.style(detailStyle);
    const detailHeight = this.doc.heightOfString(row.detail, { width: this.width });
    this.style({ size: BODY_SIZE });
    const nameWidth = this.width - AMOUNT_WIDTH - GAP;
    const mainHeight = Math.max(
      this.doc.heightOfString(row.name, { width: nameWidth }),
      this.doc.heightOfString(row.amount, { width: AMOUNT_WIDTH }),
    );
    // The two lines of an item stay together on one page.
    this.ensureRoom(mainHeight + detailHeight);
    this.doc.text(row.name, this.left, this.y, { width: nameWidth });
    this.doc.text(row.amount, this.left + this.width - AMOUNT_WIDTH, this.y, { width: AMOUNT_WIDTH, align: "right" });
    this.y += mainHeight;
    this.style(detailStyle);
    this.doc.text(row.detail, this.left, this.y, { width: this.width });
    this.y += detailHeight + 5;
  }

  rule(spaceAround: number): void {
    this.ensureRoom(spaceAround * 2);
    this.y += spaceAround / 2;
    this.doc
      .moveTo(this.left, this.y)
      .lineTo(this.left + this.width, this.y)
      .lineWidth(0.5)
      .strokeColor("#999999")
      .stroke();
    this.y += spaceAround / 2;
  }

  space(points: number): void {
    this.y += points;
  }

  private style({ font = "Helvetica", size, color = "#000000" }: TextStyle): void {
    this.doc.font(font).fontSize(size).fillColor(color);
  }

  private ensureRoom(height: number): void {
    // A little slack: pdfkit starts a page of its own when a line overshoots, which would desync `y`.
    if (this.y + height + 2 <= this.doc.page.height - this.doc.page.margins.bottom) return;
    this.doc.addPage();
    this.y = this.doc.page.margins.top;
    this.style({ size: DETAIL_SIZE, color: "#555555" });
    this.doc.text(this.continuation, this.left, this.y, { width: this.width });
    this.y += this.doc.heightOfString(this.continuation, { width: this.width }) + 8;
  }
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.once("end", () => resolve(Buffer.concat(chunks)));
    doc.once("error", reject);
  });
}
