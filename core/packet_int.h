/* Inside the packet layer: the aes*-ctr + HMAC paths (packet_mac.c) that
 * packet.c calls once it has framed and padded a packet. */
#ifndef NS_CORE_PACKET_INT_H
#define NS_CORE_PACKET_INT_H

#include "packet.h"

#define NS_PKT_LEN_FIELD 4 /* uint32 packet_length */

/* p holds the 4-byte length then plen bytes (a multiple of 16, or
 * 4 + plen is, for a non-etm MAC); the MAC (ns_mac_len) is written after. */
void ns_pkt_ctr_seal(ns_pkt_dir *d, uint8_t *p, size_t plen);
/* The same packet received whole: NS_ERR_MAC (buf wiped of plaintext, the
 * counter unchanged) or 0 with buf decrypted in place. */
int ns_pkt_ctr_open(ns_pkt_dir *d, uint8_t *buf, size_t plen);
/* Non-etm: packet_length from the first block, decrypted into a copy. */
uint32_t ns_pkt_ctr_peek_len(const ns_pkt_dir *d, const uint8_t first[NS_AES_BLOCK]);

#endif
