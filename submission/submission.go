// Package submission assembles the signed package: files, SHA256SUMS,
// SSH signature (namespace selfassess), zip; and verifies one.
package submission

// STUB: replaced by package assembly, signing and verification.

// Namespace is the SSH signature namespace.
const Namespace = "selfassess"
