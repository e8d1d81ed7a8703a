/* msg.h - the wire header of every ordo message (little-endian hosts). */
#ifndef ORDO_RUNTIME_MSG_H
#define ORDO_RUNTIME_MSG_H

#include <stdint.h>

#define ORDO__MSG_MAGIC   0x0d0au
#define ORDO__MSG_VERSION 1u

typedef enum {
    ORDO__MSG_SEND = 1,  /* one-way: run the handler */
    ORDO__MSG_REQ = 2,   /* request: run the handler, reply with its status */
    ORDO__MSG_REPLY = 3, /* reply to req_id */
} ordo__msg_kind_t;

typedef struct ordo__msg_hdr {
    uint16_t magic;
    uint8_t version;
    uint8_t kind;
    uint16_t hdr_len; /* bytes of header, this struct included */
    uint16_t flags;
    uint32_t handler;
    int32_t src;
    int32_t status; /* REPLY: the handler's status */
    uint32_t reserved;
    uint64_t req_id; /* REQ and REPLY */
} ordo__msg_hdr_t;

#endif
