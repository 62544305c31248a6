package dimse

import (
	"context"
	"fmt"
)

// Store sends a C-STORE of one object and returns the SCP's status; a
// failure status is returned as *StatusError, warnings count as success.
func (c *Client) Store(ctx context.Context, sopClassUID, instanceUID string, object *Dataset) error {
	pc, err := c.context(sopClassUID)
	if err != nil {
		return err
	}
	encoded, err := EncodeDataset(object, pc.transferSyntax)
	if err != nil {
		return err
	}
	return c.StoreEncoded(ctx, sopClassUID, instanceUID, encoded)
}

// StoreEncoded sends a C-STORE of an already encoded data set, as it is:
// tests use it to send truncated objects.
func (c *Client) StoreEncoded(ctx context.Context, sopClassUID, instanceUID string, encoded []byte) error {
	pc, err := c.context(sopClassUID)
	if err != nil {
		return err
	}
	rq := &command{field: commandCStoreRQ, sopClassUID: sopClassUID, sopInstanceUID: instanceUID,
		messageID: c.nextMessageID(), hasDataset: true}
	if err := c.writer.writeMessage(pc.id, rq, encoded); err != nil {
		return err
	}
	msg, err := c.readMessage(ctx)
	if err != nil {
		return err
	}
	rsp := msg.command
	if rsp.field != rq.field|responseBit || rsp.respondedTo != rq.messageID {
		return fmt.Errorf("dimse: unexpected %s answering %s", rsp, rq)
	}
	if !IsStoreSuccess(rsp.status) {
		return &StatusError{Status: rsp.status, Comment: rsp.errorComment, Offending: rsp.offending}
	}
	return nil
}
