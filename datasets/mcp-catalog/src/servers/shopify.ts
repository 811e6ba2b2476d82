// Modelled on Shopify Admin MCP servers (GeLi2001/shopify-mcp): products, orders, customers, inventory via the Admin API.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

export default defineServer({
  name: 'shopify',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('get-products', 'read', 'Get all products or search by title', { searchTitle: str('Filter products by title'), limit: int('Maximum number of products to return') }),
    tool('get-product-by-id', 'read', 'Get a specific product by ID', { productId: str('ID of the product to retrieve') }, ['productId']),
    tool('create-product', 'create', 'Create a new product in the store', { title: str('Title of the product'), descriptionHtml: str('Description of the product in HTML'), vendor: str('Vendor of the product'), productType: str('Type of the product'), tags: list({ type: 'string' }, 'Tags'), status: oneOf(['ACTIVE', 'DRAFT', 'ARCHIVED'], 'Product status', { default: 'DRAFT' }) }, ['title']),
    tool('update-product', 'update', 'Update a product\'s title, description, status or tags', { productId: str('ID of the product'), title: str('New title'), descriptionHtml: str('New description'), status: oneOf(['ACTIVE', 'DRAFT', 'ARCHIVED'], 'Product status'), tags: list({ type: 'string' }, 'Tags') }, ['productId']),
    tool('get-customers', 'read', 'Get customers or search by name/email', { searchQuery: str('Search customers by name or email'), limit: int('Maximum number of customers to return') }),
    tool('update-customer', 'update', 'Update a customer\'s information', { id: str('Shopify customer ID (numeric ID only, like "6276879810626")'), firstName: str('Customer\'s first name'), lastName: str('Customer\'s last name'), email: str('Customer\'s email address', { format: 'email' }), phone: str('Customer\'s phone number'), tags: list({ type: 'string' }, 'Tags to apply to the customer'), note: str('Note about the customer') }, ['id']),
    tool('get-orders', 'read', 'Get orders with optional filtering by status', { status: oneOf(['any', 'open', 'closed', 'cancelled'], 'Filter orders by status'), limit: int('Maximum number of orders to return') }),
    tool('get-order-by-id', 'read', 'Get a specific order by ID', { orderId: str('Full Shopify order ID (e.g., "gid://shopify/Order/6090960994370")') }, ['orderId']),
    tool('update-order', 'update', 'Update an existing order with new information (tags, note, email, shipping address)', { id: str('Shopify order ID'), tags: list({ type: 'string' }, 'New tags for the order'), email: str('Update customer email'), note: str('Order notes'), shippingAddress: { type: 'object', description: 'Shipping address details' } }, ['id']),
    tool('cancel-order', 'update', 'Cancel an order, optionally refunding and restocking it', { orderId: str('Shopify order ID'), reason: oneOf(['CUSTOMER', 'FRAUD', 'INVENTORY', 'DECLINED', 'OTHER'], 'Cancellation reason'), refund: { type: 'boolean', description: 'Refund the payment', default: true }, restock: { type: 'boolean', description: 'Restock the items', default: true } }, ['orderId', 'reason']),
    tool('get-inventory-levels', 'read', 'Get inventory quantities for a product variant across locations', { variantId: str('Product variant ID') }, ['variantId']),
    tool('adjust-inventory', 'update', 'Adjust the available quantity of an inventory item at a location by a delta', { inventoryItemId: str('Inventory item ID'), locationId: str('Location ID'), delta: int('Change in available quantity (negative to decrease)') }, ['inventoryItemId', 'locationId', 'delta']),
    tool('create-discount-code', 'create', 'Create a basic percentage or fixed-amount discount code', { title: str('Discount title'), code: str('Code customers enter at checkout'), percentage: { type: 'number', description: 'Percentage off (0-1)', minimum: 0, maximum: 1 }, startsAt: str('Start date', { format: 'date-time' }), endsAt: str('End date', { format: 'date-time' }) }, ['title', 'code', 'startsAt']),
  ],
});
