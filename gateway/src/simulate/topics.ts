// Names and topics of design §5. The functions' MQTT filters are `store/+/fridge/+/temp` and
// `store/+/espresso/+/shot`, so these shapes are a contract, not a choice.

/** `store001` for the first store: design §5 names stores like `store042`. */
export function storeId(number: number): string {
  return `store${String(number).padStart(3, "0")}`;
}

export function fridgeId(number: number): string {
  return `fridge-${number}`;
}

export function machineId(number: number): string {
  return `espresso-${number}`;
}

export function fridgeTopic(store: string, fridge: string): string {
  return `store/${store}/fridge/${fridge}/temp`;
}

export function shotTopic(store: string, machine: string): string {
  return `store/${store}/espresso/${machine}/shot`;
}
