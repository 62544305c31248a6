package dimse

import (
	"context"
	"fmt"
)

// NCreate sends an N-CREATE of instanceUID (empty lets the SCP choose)
// with attributes, and returns the instance UID the SCP confirmed. A failure
// status is returned as *StatusError; warnings count as success.
func (c *Client) NCreate(ctx context.Context, sopClassUID, instanceUID string, attributes *Dataset) (string, error) {
	rq := &command{field: commandNCreateRQ, sopClassUID: sopClassUID, sopInstanceUID: instanceUID}
	rsp, err := c.normalized(ctx, rq, attributes)
	if err != nil {
		return "", err
	}
	if rsp.sopInstanceUID != "" {
		instanceUID = rsp.sopInstanceUID
	}
	return instanceUID, nil
}

// NSet sends an N-SET of instanceUID with the modifications.
func (c *Client) NSet(ctx context.Context, sopClassUID, instanceUID string, modifications *Dataset) error {
	rq := &command{field: commandNSetRQ, sopClassUID: sopClassUID, sopInstanceUID: instanceUID}
	_, err := c.normalized(ctx, rq, modifications)
	return err
}

// normalized sends an N-* request with its dataset and reads the response.
func (c *Client) normalized(ctx context.Context, rq *command, data *Dataset) (*command, error) {
	pc, err := c.context(rq.sopClassUID)
	if err != nil {
		return nil, err
	}
	encoded, err := EncodeDataset(data, pc.transferSyntax)
	if err != nil {
		return nil, err
	}
	rq.messageID = c.nextMessageID()
	rq.hasDataset = true
	if err := c.writer.writeMessage(pc.id, rq, encoded); err != nil {
		return nil, err
	}
	msg, err := c.readMessage(ctx)
	if err != nil {
		return nil, err
	}
	rsp := msg.command
	if rsp.field != rq.field|responseBit || rsp.respondedTo != rq.messageID {
		return nil, fmt.Errorf("dimse: unexpected %s answering %s", rsp, rq)
	}
	if !isNormalizedSuccess(rsp.status) {
		return nil, &StatusError{Status: rsp.status, Comment: rsp.errorComment, Offending: rsp.offending, ErrorID: rsp.errorID}
	}
	return rsp, nil
}

// isNormalizedSuccess accepts Success and the N-* warnings of PS3.7 C:
// optional attributes not supported, attribute list error, value out of
// range; each still created or updated the instance.
func isNormalizedSuccess(status uint16) bool {
	switch status {
	case StatusSuccess, 0x0001, 0x0107, 0x0116:
		return true
	}
	return false
}
