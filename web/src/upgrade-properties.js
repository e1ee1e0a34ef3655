// SPDX-License-Identifier: MIT
// Properties a page set on an element before its class was defined (a framework that renders
// before the script arrives): they are own data properties that would shadow the class's
// accessors and be overwritten by its public fields, so they are taken and given back.

/**
 * Call from a field initializer declared before any public field: removes the own properties that
 * shadow an accessor of `proto` and remembers the others. Returns a function that assigns them
 * again, in the page's order, once the element is constructed.
 */
export function takePresetProperties(element, proto) {
  const preset = [];
  for (const key of Object.keys(element)) {
    const value = element[key];
    let setter = false;
    for (let p = proto; p && p !== HTMLElement.prototype; p = Object.getPrototypeOf(p)) {
      const descriptor = Object.getOwnPropertyDescriptor(p, key);
      if (descriptor) {
        setter = typeof descriptor.set === 'function';
        break;
      }
    }
    if (setter) delete element[key];
    preset.push({ key, value, setter });
  }
  return () => {
    for (const { key, value, setter } of preset) {
      // A public field of the class defined itself over the page's value: put the page's back.
      const field = !setter && Object.getOwnPropertyDescriptor(element, key)?.writable && element[key] !== value;
      if (setter || field) element[key] = value;
    }
  };
}
